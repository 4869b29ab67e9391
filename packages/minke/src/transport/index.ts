/**
 * Transports: how Minke reaches a host. One `Transport` contract (`transport.ts`), two
 * implementations (`ssh/`: ssh2, host keys, known_hosts; `local/`: processes on this machine), a
 * pool that shares one connection per host, `config/` (the connection config, its layers and
 * ssh_config files) and `exec/` (what both implementations share to run a command or move a file).
 * The transport imports no metrics, audit or store code: what it reports goes through callbacks
 * (`onConnectFailure`, the `HostKeyBook`).
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
} from './config/connection-config.js';
export { mergeConnectionConfig, parseConnectionConfigLayer } from './config/merge-config.js';
export {
  resolveConnectionConfig,
  type ConnectionLayers,
  type ResolveOptions,
} from './config/resolve-connection.js';
export { readSshConfigLayer } from './config/ssh-config-file.js';
export {
  credentialNameSchema,
  resolveSecret,
  secretRefSchema,
  SecretUnavailable,
  type CredentialReader,
  type SecretRef,
} from './config/secret.js';

export {
  fingerprintOf,
  hostKeyFromBlob,
  knownHostsName,
  type HostKey,
} from './ssh/host-keys/host-key.js';
export {
  checkHostKey,
  formatKnownHostsLine,
  parseKnownHosts,
  type HostKeyCheck,
  type KnownHostEntry,
} from './ssh/host-keys/known-hosts.js';
export { verifyHostKey, type HostKeyPolicy } from './ssh/host-keys/host-key-policy.js';

export { ChannelLimiter } from './exec/channel-limiter.js';
export { createTransport, pooledTransport } from './create-transport.js';
export { completeSudo, type SudoDefaults } from './config/sudo-defaults.js';
export {
  ConnectionPool,
  type ConnectionPoolOptions,
  type PoolHostOptions,
} from './connection-pool.js';

export { SshTransport, type SshTransportOptions } from './ssh/ssh-transport.js';
export type { SshChannel, SshClient, SshClientFactory } from './ssh/ssh-client.js';
export { LocalTransport, type LocalTransportOptions } from './local/local-transport.js';
