import { X509Certificate } from 'node:crypto';
import { checkServerIdentity, type PeerCertificate } from 'node:tls';

/**
 * `AB:CD:...` (upper case, colons), the form `openssl x509 -fingerprint -sha256` and Node's
 * `X509Certificate.fingerprint256` print; undefined when `text` is not a SHA-256 fingerprint.
 * Accepts an optional `sha256:` prefix, either case, with or without colons.
 */
export function normalizeFingerprint(text: string): string | undefined {
  const hex = text
    .trim()
    .replace(/^sha-?256[:=]/i, '')
    .replace(/:/g, '')
    .toUpperCase();
  if (!/^[0-9A-F]{64}$/.test(hex)) return undefined;
  return hex.match(/../g)?.join(':');
}

/** The SHA-256 fingerprint of a PEM certificate, in the form of {@link normalizeFingerprint}. */
export function certificateFingerprint(pem: string | Buffer): string {
  return new X509Certificate(pem).fingerprint256;
}

/**
 * A `checkServerIdentity` for TLS connections to the MQTT broker that accepts only the pinned
 * certificate. Node calls it after the chain checked out against the given CA, so the pin
 * narrows that trust to one certificate: a CA that signed another certificate (or was
 * compromised) cannot stand in for the broker. With a pin the host name is not checked: the
 * exact certificate is known, and agents often reach the broker by an address its certificate
 * does not name. Without a pin, Node's own host name check applies.
 *
 * @example
 *   mqtt.connect(url, { ca, checkServerIdentity: pinnedServerIdentity(pin, 'agent.yaml') });
 */
export function pinnedServerIdentity(
  pin: string | undefined,
  where: string,
): (host: string, certificate: PeerCertificate) => Error | undefined {
  return function checkPinnedServer(host, certificate) {
    if (pin === undefined) return checkServerIdentity(host, certificate);
    const presented = certificate.fingerprint256;
    if (presented === pin) return undefined;
    const error = new Error(
      `the MQTT broker at ${host} presented a certificate with SHA-256 fingerprint ${presented}, ` +
        `not the pinned ${pin} (${where}): refusing to connect. If the broker's certificate was ` +
        'replaced on purpose, enrol the agent again or set the new fingerprint',
    ) as NodeJS.ErrnoException;
    error.code = 'ERR_MINKE_BROKER_FINGERPRINT';
    return error;
  };
}
