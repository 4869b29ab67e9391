import { readFileSync, statSync } from 'node:fs';
import { UsageError } from '../cli-error.js';

/** Where a remote command goes and how it proves who it is. */
export interface RemoteTarget {
  /** The server's base URL, without a trailing slash: `https://minke.example.com`. */
  url: string;
  /** An API token; never taken from argv (other users of the machine can read argv). */
  token: string;
}

export interface RemoteOptions {
  server?: string | undefined;
  tokenFile?: string | undefined;
}

/**
 * The server a command talks to, from `--server` or MINKE_SERVER_URL, with its token from
 * `--token-file` or MINKE_TOKEN; undefined when no server is named (the command works on the local
 * project). A token is never read from the command line, where `ps` shows it.
 */
export function remoteTarget(
  options: RemoteOptions,
  env: NodeJS.ProcessEnv = process.env,
): RemoteTarget | undefined {
  const server = options.server ?? nonEmpty(env['MINKE_SERVER_URL']);
  if (server === undefined) {
    if (options.tokenFile !== undefined)
      throw new UsageError('--token-file needs a server: add --server URL or set MINKE_SERVER_URL');
    return undefined;
  }
  const url = serverUrl(server);
  const token =
    options.tokenFile !== undefined
      ? tokenFromFile(options.tokenFile)
      : nonEmpty(env['MINKE_TOKEN']);
  if (token === undefined) {
    // A server named by the environment also applies to `tokens create`, the way to a first
    // token: say how to get back to the local project, or the advice would go round in a circle.
    const fromEnvironment = options.server === undefined;
    throw new UsageError(
      fromEnvironment
        ? `no API token for ${url} (MINKE_SERVER_URL): set MINKE_TOKEN or use --token-file FILE; a token is made on the server's project with \`minke tokens create --user NAME\` with MINKE_SERVER_URL unset`
        : `no API token for ${url}: set MINKE_TOKEN or use --token-file FILE (made on the server's project with \`minke tokens create --user NAME\`)`,
    );
  }
  return { url, token };
}

/** An http(s) URL without credentials, query or fragment; the trailing slash dropped. */
export function serverUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    throw new UsageError(`--server "${text}": not a URL (write http://host:8000 or https://host)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new UsageError(`--server "${text}": use an http:// or https:// URL`);
  // Secrets in a URL end up in shell history and proxy logs: the token has its own channel.
  if (url.username !== '' || url.password !== '')
    throw new UsageError(
      '--server: leave credentials out of the URL; use MINKE_TOKEN or --token-file',
    );
  if (url.search !== '' || url.hash !== '')
    throw new UsageError(`--server "${text}": leave out the query and fragment`);
  return url.href.replace(/\/+$/, '');
}

function tokenFromFile(file: string): string {
  let text: string;
  try {
    if (!statSync(file).isFile()) throw new UsageError(`--token-file ${file}: not a file`);
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if (error instanceof UsageError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(
      `--token-file ${file}: ${code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : String(code ?? error)}`,
    );
  }
  const token = text.trim();
  if (token === '' || /\s/.test(token))
    throw new UsageError(`--token-file ${file}: expected one token on one line`);
  return token;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}
