import { z } from 'zod';
import type { HostKeyBook } from '../ssh/host-keys/host-key-book.js';
import {
  type CredentialReader,
  credentialNameSchema,
  type SecretRef,
  secretRefSchema,
} from './secret.js';

const shellName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'a shell variable name');
const milliseconds = z.number().int().nonnegative();

/**
 * One layer of connection config, as written in project config, host groups, hosts, session
 * classes and run-time forms (YAML/JSON). Every key is optional; layers are deep-merged by
 * `mergeConnectionConfig` and completed by `resolveConnectionConfig`. Unknown keys are refused so
 * that a typo (`identityFile`) is an error at save time, not a silent default at 3 a.m.
 *
 * @example
 *   # host group "dmz"
 *   proxyJump: admin@bastion.example.com:2222
 *   identityFiles: [~/.ssh/deploy_ed25519]
 *   passphrase: { env: DEPLOY_KEY_PASSPHRASE }
 *   sudo: { password: { file: /etc/minke/sudo.pass } }
 *
 *   # host "db-1": a key and a sudo password from the encrypted credentials store
 *   key: { credential: deploy }
 *   sudo: { password: { credential: db-root } }
 */
export const connectionConfigLayerSchema = z.strictObject({
  /** `local` runs commands on the Minke machine itself instead of over SSH. */
  transport: z.enum(['ssh', 'local']).optional(),
  /** DNS name, address or OpenSSH config alias; the host's name when absent. */
  hostname: z.string().min(1).optional(),
  port: z.number().int().min(1).max(65_535).optional(),
  user: z.string().min(1).optional(),
  /** Private keys to try, in order; `~` is the home of the user Minke runs as. */
  identityFiles: z.array(z.string().min(1)).optional(),
  /** true: the agent at $SSH_AUTH_SOCK; a path: that agent socket; false: no agent. */
  agent: z.union([z.boolean(), z.string().min(1)]).optional(),
  /** A private key from the credentials store, tried before the identity files. */
  key: z.strictObject({ credential: credentialNameSchema }).optional(),
  password: secretRefSchema.optional(),
  /** Passphrase for encrypted identity files. */
  passphrase: secretRefSchema.optional(),
  /** `[user@]host[:port]`, a comma-separated chain of them, `none`, or a config of its own. */
  get proxyJump() {
    return z.union([z.string().min(1), connectionConfigLayerSchema]).optional();
  },
  /** `yes` (default) refuses unknown hosts (filed as pending for someone with trust_host_key);
   * `accept-new` trusts a host's first key. Changed keys: always refused. */
  strictHostKeyChecking: z.enum(['yes', 'accept-new']).optional(),
  /** known_hosts files to read (with the database's host keys, only files a Minke layer names). */
  knownHostsFiles: z.array(z.string().min(1)).optional(),
  connectTimeoutMs: milliseconds.min(1).optional(),
  /** Kills commands that run longer; 0 means no limit. */
  commandTimeoutMs: milliseconds.optional(),
  /** SSH-level keepalive; 0 turns it off. */
  keepaliveIntervalMs: milliseconds.optional(),
  keepaliveCountMax: z.number().int().min(1).optional(),
  /** Default for `ExecOptions.pty`. */
  pty: z.boolean().optional(),
  env: z.record(shellName, z.string()).optional(),
  sudo: z
    .strictObject({ user: z.string().min(1).optional(), password: secretRefSchema.optional() })
    .optional(),
  /** Concurrent command channels on one connection; OpenSSH allows 10 (MaxSessions) and a kill
   * needs a channel of its own, hence 8 by default. */
  maxChannels: z.number().int().min(1).max(64).optional(),
  /** The pool closes a connection that ran nothing for this long. */
  idleTimeoutMs: milliseconds.optional(),
  /** OpenSSH client config to honour; false reads none. */
  sshConfigFile: z.union([z.string().min(1), z.literal(false)]).optional(),
});

export type ConnectionConfigLayer = z.infer<typeof connectionConfigLayerSchema>;

/** A layer merged and completed: everything the SSH transport needs, secrets still references. */
export interface ResolvedConnectionConfig {
  transport: 'ssh' | 'local';
  hostname: string;
  port: number;
  user: string;
  identityFiles: string[];
  /** Agent socket path, or false for none. */
  agent: string | false;
  /** A private key kept in the credentials store. */
  key?: { credential: string };
  password?: SecretRef;
  passphrase?: SecretRef;
  /** The host to hop through, itself resolved (with its own jump, for chains). */
  proxyJump?: ResolvedConnectionConfig;
  strictHostKeyChecking: 'yes' | 'accept-new';
  knownHostsFiles: string[];
  /** True when a Minke layer (project, group, host, session) named `knownHostsFiles`: with a host
   * key book, only such files are read; the built-in defaults and ssh_config's are not. */
  knownHostsFilesNamed?: boolean;
  /** The fleet's known host keys (the database's); without it, known_hosts files alone decide.
   * Set by whoever opened the store (closures, so it never shows in the config's JSON). */
  hostKeys?: HostKeyBook;
  /** The name this host's keys are filed under in the book: the Minke host's name; jump hosts
   * use `[address]:port`. */
  hostKeyName?: string;
  connectTimeoutMs: number;
  commandTimeoutMs: number;
  keepaliveIntervalMs: number;
  keepaliveCountMax: number;
  pty: boolean;
  env: Record<string, string>;
  sudo: { user?: string; password?: SecretRef };
  maxChannels: number;
  idleTimeoutMs: number;
  /** Reads `{ credential }` references at use; set by whoever opened the store (a function
   * object, so that it never shows in the config's JSON). */
  credentials?: CredentialReader;
}

/** The first layer of every resolution. */
export const builtinConnectionDefaults = {
  transport: 'ssh',
  port: 22,
  identityFiles: ['~/.ssh/id_ed25519', '~/.ssh/id_ecdsa', '~/.ssh/id_rsa'],
  agent: true,
  strictHostKeyChecking: 'yes',
  knownHostsFiles: ['~/.ssh/known_hosts', '/etc/ssh/ssh_known_hosts'],
  connectTimeoutMs: 15_000,
  commandTimeoutMs: 0,
  keepaliveIntervalMs: 15_000,
  keepaliveCountMax: 3,
  pty: false,
  env: {},
  sudo: {},
  maxChannels: 8,
  idleTimeoutMs: 60_000,
  sshConfigFile: '~/.ssh/config',
} as const satisfies ConnectionConfigLayer;
