/**
 * Transports: how Minke reaches a host. One `Transport` contract, two implementations (`ssh/`,
 * `local/`), a pool that shares one connection per host, and the connection config layering.
 */
export type {
  CommandResult,
  CommandStatus,
  ExecOptions,
  GetOptions,
  OutputStream,
  PutOptions,
  PutSource,
  SudoOptions,
  TransferOptions,
  TransferResult,
  Transport,
} from './transport.js';
export { commandStatus } from './transport.js';
export { TransportError, isTransportError, type TransportFailure } from './transport-error.js';

export {
  builtinConnectionDefaults,
  connectionConfigLayerSchema,
  type ConnectionConfigLayer,
  type ResolvedConnectionConfig,
} from './connection-config.js';
export { mergeConnectionConfig, parseConnectionConfigLayer } from './merge-config.js';
export {
  resolveConnectionConfig,
  type ConnectionLayers,
  type ResolveOptions,
} from './resolve-connection.js';
export { readSshConfigLayer } from './ssh-config-file.js';
export {
  credentialNameSchema,
  resolveSecret,
  secretRefSchema,
  SecretUnavailable,
  type CredentialReader,
  type SecretRef,
} from './secret.js';

export { fingerprintOf, hostKeyFromBlob, knownHostsName, type HostKey } from './host-key.js';
export {
  checkHostKey,
  formatKnownHostsLine,
  parseKnownHosts,
  type HostKeyCheck,
  type KnownHostEntry,
} from './known-hosts.js';
export { verifyHostKey, type HostKeyPolicy } from './host-key-policy.js';

export { ChannelLimiter } from './channel-limiter.js';
export { createTransport, pooledTransport } from './create-transport.js';
export { completeSudo, type SudoDefaults } from './sudo-defaults.js';
export {
  ConnectionPool,
  type ConnectionPoolOptions,
  type PoolHostOptions,
} from './connection-pool.js';

export { SshTransport, type SshTransportOptions } from './ssh/ssh-transport.js';
export type { SshChannel, SshClient, SshClientFactory } from './ssh/ssh-client.js';
export { LocalTransport, type LocalTransportOptions } from './local/local-transport.js';
