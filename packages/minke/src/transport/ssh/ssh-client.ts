// ssh2 is CommonJS: Node's ESM loader sees only its default export.
import ssh2, { type Client, type ClientChannel } from 'ssh2';

/** The part of an ssh2 connection Minke uses; tests and alternative clients provide this much. */
export type SshClient = Pick<
  Client,
  'connect' | 'exec' | 'sftp' | 'forwardOut' | 'end' | 'destroy' | 'on' | 'once' | 'removeListener'
>;

/** The part of an ssh2 exec channel Minke uses. */
export type SshChannel = Pick<
  ClientChannel,
  'on' | 'once' | 'write' | 'end' | 'close' | 'stderr' | 'pause' | 'resume'
>;

export type SshClientFactory = () => SshClient;

export const createSsh2Client: SshClientFactory = () => new ssh2.Client();
