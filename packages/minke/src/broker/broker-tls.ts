import { X509Certificate } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { hostname } from 'node:os';
import { certificateFingerprint } from '@minke/protocol';
import type { BrokerTlsConfig } from '../config/resolve-config.js';
import { SetupError } from '../errors.js';
import type { Logger } from '../logger.js';
import { readOrCreateCertificates } from './generated-certificates.js';

/** What the embedded broker listens with, and what its clients are told to trust. */
export interface BrokerTls {
  cert: string;
  key: string;
  /** The CA certificate(s) clients verify the chain with; undefined: the system's CAs. */
  ca: string | undefined;
  /** SHA-256 of the server certificate, `AB:CD:...`: what `agents enroll` pins. */
  fingerprint: string;
  /** Where the certificate came from, for logs. */
  source: string;
}

/**
 * The embedded broker's TLS certificate: the user's own (`mqtt.tls.certFile`/`keyFile`), or the
 * one generated under `.minke/mqtt-tls/` on first use for `listen`, this machine's names and
 * `mqtt.tls.names`. A generated certificate that does not name a configured name is kept (agents
 * pin it) and a warning says how to make a new one.
 */
export async function loadBrokerTls(
  tls: BrokerTlsConfig,
  listen: string,
  logger?: Logger,
): Promise<BrokerTls> {
  if (tls.certFile !== undefined && tls.keyFile !== undefined) {
    return ownCertificate(tls.certFile, tls.keyFile, tls.caFile);
  }
  const names = certificateNames(listen, tls.names);
  const generated = await readOrCreateCertificates(tls.generatedDir, names);
  const certificate = new X509Certificate(generated.serverCert);
  if (generated.created) {
    logger?.info(
      { dir: generated.dir, names, fingerprint: certificate.fingerprint256 },
      'broker: made a CA and a TLS server certificate for the agent bus',
    );
  }
  const missing = names.filter((name) => !namesInCertificate(certificate).includes(name));
  if (missing.length > 0) {
    logger?.warn(
      { missing, dir: generated.dir },
      'broker: the TLS certificate does not name these addresses; agents that pin its fingerprint still connect, others do not (remove the folder to make a new certificate, then enrol the agents again)',
    );
  }
  return {
    cert: generated.serverCert,
    key: generated.serverKey,
    ca: generated.caCert,
    fingerprint: certificate.fingerprint256,
    source: generated.dir,
  };
}

/** localhost and loopback always (the server's own gateway), the listen address, the host name. */
export function certificateNames(listen: string, extra: readonly string[]): string[] {
  const wildcard = listen === '0.0.0.0' || listen === '::';
  const names = ['localhost', '127.0.0.1', '::1', hostname(), ...(wildcard ? [] : [listen])];
  return [...new Set([...names, ...extra])];
}

/** The DNS names and IP addresses in a certificate's subjectAltName. */
function namesInCertificate(certificate: X509Certificate): string[] {
  return (certificate.subjectAltName ?? '')
    .split(', ')
    .map((entry) => entry.replace(/^(DNS|IP Address):/, ''))
    .map((name) => (name === '0:0:0:0:0:0:0:1' ? '::1' : name));
}

async function ownCertificate(
  certFile: string,
  keyFile: string,
  caFile: string | undefined,
): Promise<BrokerTls> {
  const cert = await readSetting(certFile, 'mqtt.tls.certFile (MINKE_MQTT_TLS_CERT_FILE)');
  const key = await readSetting(keyFile, 'mqtt.tls.keyFile (MINKE_MQTT_TLS_KEY_FILE)');
  if (process.platform !== 'win32' && ((await stat(keyFile)).mode & 0o077) !== 0) {
    throw new SetupError(
      `the broker's TLS key ${keyFile} can be read by other users: fix it with chmod 600 ${keyFile}`,
    );
  }
  let fingerprint: string;
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(cert);
    fingerprint = certificateFingerprint(cert);
  } catch {
    throw new SetupError(`mqtt.tls.certFile: ${certFile} is not a PEM certificate`);
  }
  const ca = caFile
    ? await readSetting(caFile, 'mqtt.tls.caFile (MINKE_MQTT_TLS_CA_FILE)')
    : // A self-signed certificate is its own CA; one from a public CA needs nothing.
      certificate.checkIssued(certificate)
      ? cert
      : undefined;
  return { cert, key, ca, fingerprint, source: certFile };
}

async function readSetting(file: string, setting: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    throw new SetupError(
      `${setting}: cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
    );
  }
}
