import type { ServerHostKeyAlgorithm } from 'ssh2';

/** Every host key algorithm ssh2 speaks, in its default order of preference. */
const defaultOrder: ServerHostKeyAlgorithm[] = [
  'ssh-ed25519',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
  'rsa-sha2-512',
  'rsa-sha2-256',
  'ssh-rsa',
];

/** A known_hosts `ssh-rsa` key is verified through any of the RSA signature algorithms. */
const algorithmsForKeyType: Record<string, ServerHostKeyAlgorithm[]> = {
  'ssh-rsa': ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'],
};

/**
 * Asks the server for a key type we already know for it first, as OpenSSH does: a host that has
 * an RSA key on file and also an Ed25519 key would otherwise present the Ed25519 one and look
 * changed.
 */
export function hostKeyAlgorithms(knownTypes: readonly string[]): ServerHostKeyAlgorithm[] {
  const preferred = knownTypes.flatMap(
    (type) => algorithmsForKeyType[type] ?? defaultOrder.filter((algorithm) => algorithm === type),
  );
  return [...new Set([...preferred, ...defaultOrder])];
}

/**
 * The same, or undefined when it is ssh2's own default order: ssh2 then sends the handshake offer
 * it made once at load, instead of building one for this connection (a buffer of every algorithm
 * list, per host of a run). The server sees the same offer either way.
 */
export function customHostKeyAlgorithms(
  knownTypes: readonly string[],
): ServerHostKeyAlgorithm[] | undefined {
  const algorithms = hostKeyAlgorithms(knownTypes);
  const isDefault =
    algorithms.length === defaultOrder.length &&
    algorithms.every((algorithm, index) => algorithm === defaultOrder[index]);
  return isDefault ? undefined : algorithms;
}
