import { readFile, stat } from 'node:fs/promises';
import type { AnyAuthMethod, ParsedKey } from 'ssh2';
import { ssh2Module } from './ssh2-module.js';
import type { ResolvedConnectionConfig } from '../config/connection-config.js';
import { expandHome } from '../config/expand-home.js';
import { resolveOptionalSecret, SecretUnavailable } from '../config/secret.js';

export interface AuthPlan {
  methods: AnyAuthMethod[];
  /** What will be tried and what was skipped, for an "authentication failed" message. Names
   * files and methods only, never a secret. */
  summary: string;
}

/**
 * The authentication methods to offer, in OpenSSH's order: agent keys, identity files, then the
 * password (also answering a keyboard-interactive password prompt). Secrets are read from their
 * references here, at connect time, and live only inside the returned methods.
 */
export async function authMethods(config: ResolvedConnectionConfig): Promise<AuthPlan> {
  const username = config.user;
  const methods: AnyAuthMethod[] = [];
  const tried: string[] = [];
  const skipped: string[] = [];
  if (config.agent) {
    methods.push({ type: 'agent', username, agent: config.agent });
    tried.push('agent');
  }
  const passphrase = await resolveOptionalSecret(config.passphrase, config.credentials);
  if (config.key) {
    const name = config.key.credential;
    methods.push({ type: 'publickey', username, key: await storedKey(config, name, passphrase) });
    tried.push(`key credential ${name}`);
  }
  for (const file of config.identityFiles) {
    const key = await loadKey(file, passphrase);
    if (typeof key === 'string') {
      if (key !== 'missing') skipped.push(`${file}: ${key}`);
      continue;
    }
    methods.push({ type: 'publickey', username, key });
    tried.push(`key ${file}`);
  }
  const password = await resolveOptionalSecret(config.password, config.credentials);
  if (password !== undefined) {
    methods.push({ type: 'password', username, password });
    methods.push({
      type: 'keyboard-interactive',
      username,
      prompt: answerPasswordPrompt(password),
    });
    tried.push('password');
  }
  const parts = [`tried ${tried.length ? tried.join(', ') : 'nothing'} as ${username}`];
  if (skipped.length) parts.push(`skipped ${skipped.join(', ')}`);
  return { methods, summary: parts.join('; ') };
}

/**
 * The private key of an `ssh-key` credential, decrypted now. Its own stored passphrase wins over
 * the config's `passphrase`. A key that cannot be used is an error naming the credential, not a
 * silent skip: the config asked for exactly this key.
 */
async function storedKey(
  config: ResolvedConnectionConfig,
  name: string,
  configPassphrase: string | undefined,
): Promise<ParsedKey> {
  if (!config.credentials) {
    throw new SecretUnavailable(
      `credential ${name} cannot be read here: no credentials store was given`,
    );
  }
  const stored = await config.credentials.sshKey(name);
  const key = parseKey(Buffer.from(stored.privateKey), stored.passphrase ?? configPassphrase);
  if (typeof key === 'string') throw new SecretUnavailable(`credential ${name}: ${key}`);
  return key;
}

/** How long a parsed identity file is kept: a burst of connections shares it, no longer. */
const parsedKeyTtlMs = 60_000;

/** Identity files parsed lately, by path (see `loadKey`). */
const parsedKeys = new Map<
  string,
  {
    version: string;
    passphrase: string | undefined;
    until: number;
    key: Promise<ParsedKey | string>;
  }
>();

/**
 * A parsed private key, or why it cannot be used. The connections of a run all read the same
 * file: it is read and parsed once (an RSA key costs a key export in ssh2) and shared while the
 * file is unchanged (inode, size, times) and for a minute at most, so a key replaced on disk is
 * used from the next connection on.
 */
async function loadKey(file: string, passphrase: string | undefined): Promise<ParsedKey | string> {
  const path = expandHome(file);
  let version: string;
  try {
    const info = await stat(path);
    version = `${info.ino}:${info.size}:${info.mtimeMs}:${info.ctimeMs}`;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'missing' : 'unreadable';
  }
  const now = Date.now();
  const hit = parsedKeys.get(path);
  if (hit && hit.version === version && hit.passphrase === passphrase && hit.until > now)
    return hit.key;
  const key = readKey(path, passphrase);
  parsedKeys.set(path, { version, passphrase, until: now + parsedKeyTtlMs, key });
  return key;
}

async function readKey(path: string, passphrase: string | undefined): Promise<ParsedKey | string> {
  let data: Buffer;
  try {
    data = await readFile(path);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'missing' : 'unreadable';
  }
  return parseKey(data, passphrase);
}

function parseKey(data: Buffer, passphrase: string | undefined): ParsedKey | string {
  const parsed = ssh2Module().utils.parseKey(data, passphrase);
  if (parsed instanceof Error) {
    return /passphrase|decrypt|encrypted/i.test(parsed.message)
      ? passphrase === undefined
        ? 'encrypted and no passphrase configured'
        : 'passphrase does not decrypt it'
      : 'not a supported private key';
  }
  const key = Array.isArray(parsed) ? (parsed as ParsedKey[])[0] : parsed;
  return key?.isPrivateKey() ? key : 'not a private key';
}

type KeyboardPrompt = Extract<AnyAuthMethod, { type: 'keyboard-interactive' }>['prompt'];

/** Answers exactly one password prompt; anything else (one-time codes, several questions) is
 * left unanswered rather than guessed at with the password. */
function answerPasswordPrompt(password: string): KeyboardPrompt {
  return (_name, _instructions, _lang, prompts, finish) => {
    const only = prompts.length === 1 ? prompts[0] : undefined;
    finish(only && /password/i.test(only.prompt) ? [password] : []);
  };
}
