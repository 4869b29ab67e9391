import { basename, posix } from 'node:path';
import { InputError } from '../errors.js';
import { TransportError } from '../transport/transport-error.js';
import type {
  CommandResult,
  GetOptions,
  PutOptions,
  PutSource,
  TransferOptions,
  TransferResult,
} from '../transport/transport.js';
import { defaultTransferTimeoutMs } from '../transport/exec/file-transfer.js';
import { shellQuote } from '../util/shell-quote.js';
import type { HostTransport } from './session-context.js';

/** What a put as root may set beyond a put's options: who owns the file, and its group. */
export interface RootPutOptions extends PutOptions {
  owner?: string | undefined;
  group?: string | undefined;
}

/** How long mktemp and rm may take; `install` copies the file, so it has the transfer's time. */
const STEP_TIMEOUT_MS = 60_000;

/**
 * A put where only root may write (Ansible's `copy` with `become`): the file goes over SFTP into
 * a private staging folder of the login user (`mktemp -d`, 0700), then `sudo install` puts it in
 * place with its mode (the one asked for, else the local file's, else 0644) and, when given, its
 * owner and group; the staging folder is removed whatever happens. A target that is a folder
 * receives a local file under its own name, as a plain put does. The sudo password comes from
 * the connection's `sudo` settings.
 */
export async function putAsRoot(
  connection: HostTransport,
  source: PutSource,
  remotePath: string,
  options: RootPutOptions,
): Promise<TransferResult> {
  const localName = typeof source === 'string' ? basename(source) : undefined;
  const what = `put ${remotePath}`;
  return withStaging(connection, what, options.killSignal, async (staging) => {
    const { owner, group, ...putOptions } = options;
    const staged = await connection.put(source, `${staging}/${localName ?? 'content'}`, putOptions);
    const mode = staged.mode ?? 0o644;
    const install = [
      'install',
      `-m ${mode.toString(8).padStart(4, '0')}`,
      ...(owner === undefined ? [] : [`-o ${shellQuote(owner)}`]),
      ...(group === undefined ? [] : [`-g ${shellQuote(group)}`]),
      '--',
      shellQuote(staged.remotePath),
      '"$t"',
    ].join(' ');
    // A folder receives a local file under its name; bytes need a file name.
    const intoFolder =
      localName === undefined
        ? `echo ${shellQuote(`${remotePath}: is a folder; name the file to write`)} >&2; exit 1`
        : `t="$t"/${shellQuote(localName)}`;
    const script = [
      `t=${shellQuote(remotePath.replace(/\/+$/, '') || '/')}`,
      `if [ -d "$t" ]; then ${intoFolder}; fi`,
      `${install} && printf '%s' "$t"`,
    ].join('\n');
    const placed = await step(connection, what, script, installLimits(options), true);
    return { ...staged, remotePath: placed.stdout, mode };
  });
}

/**
 * A get of a file only root may read: `sudo install` copies it, owned by the login user and mode
 * 0600, into a private staging folder, from where SFTP fetches it; the folder is removed
 * whatever happens. The result names the file asked for.
 */
export async function getAsRoot(
  connection: HostTransport,
  remotePath: string,
  options: GetOptions,
): Promise<TransferResult> {
  const what = `get ${remotePath}`;
  return withStaging(connection, what, options.killSignal, async (staging, user) => {
    const copy = `${staging}/${posix.basename(remotePath) || 'file'}`;
    await step(
      connection,
      what,
      `install -m 0600 -o ${shellQuote(user)} -- ${shellQuote(remotePath)} ${shellQuote(copy)}`,
      installLimits(options),
      true,
    );
    const fetched = await connection.get(copy, options);
    return { ...fetched, remotePath };
  });
}

/** Runs `work` with a fresh staging folder of the login user (and its name), then removes it. */
async function withStaging<T>(
  connection: HostTransport,
  what: string,
  killSignal: AbortSignal | undefined,
  work: (staging: string, user: string) => Promise<T>,
): Promise<T> {
  const limits = { timeoutMs: STEP_TIMEOUT_MS, killSignal };
  const made = await step(connection, what, 'mktemp -d && id -un', limits, false);
  const [staging, user] = made.stdout.split('\n').map((line) => line.trim());
  if (!staging?.startsWith('/') || !user)
    throw new TransportError('transfer_failed', '', `${what}: mktemp -d said ${made.stdout}`);
  try {
    return await work(staging, user);
  } finally {
    // Also after a kill: the folder holds a copy of what may be a secret.
    await connection
      .exec(`rm -rf -- ${shellQuote(staging)}`, { timeoutMs: STEP_TIMEOUT_MS })
      .catch(() => undefined);
  }
}

/** One staging command; a failure is the transfer's, with what the command said. */
async function step(
  connection: HostTransport,
  what: string,
  command: string,
  limits: { timeoutMs: number; killSignal?: AbortSignal | undefined },
  asRoot: boolean,
): Promise<CommandResult> {
  const result = await connection.exec(command, {
    timeoutMs: limits.timeoutMs,
    ...(limits.killSignal ? { killSignal: limits.killSignal } : {}),
    ...(asRoot ? { sudo: {} } : {}),
  });
  if (result.exitCode === 0) return result;
  const said = (result.stderr.trim() || result.stdout.trim()).split('\n').slice(-3).join(' / ');
  const how = result.killed ? 'killed' : result.timedOut ? 'timed out' : said || 'failed';
  throw new TransportError('transfer_failed', '', `${what}${asRoot ? ' (sudo)' : ''}: ${how}`);
}

/** The transfer's own time limit (else ten minutes, as a transfer's) and kill, for `install`. */
function installLimits(options: TransferOptions): { timeoutMs: number; killSignal?: AbortSignal } {
  return {
    timeoutMs: options.timeoutMs ?? defaultTransferTimeoutMs,
    ...(options.killSignal ? { killSignal: options.killSignal } : {}),
  };
}

/** Owner and group name a put as root only: a plain put writes as the login user. */
export function checkRootOnlyOptions(options: RootPutOptions & { sudo?: boolean }): void {
  if (options.sudo === true) return;
  const named = (['owner', 'group'] as const).filter((key) => options[key] !== undefined);
  if (named.length > 0)
    throw new InputError(
      `put: ${named.join(' and ')} ${named.length > 1 ? 'need' : 'needs'} sudo: true (a plain put writes as the login user)`,
    );
}
