import type { Client, ClientChannel } from 'ssh2';
import { ssh2Module } from './ssh2-module.js';

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

export const createSsh2Client: SshClientFactory = () => new (ssh2Module().Client)();
