import { InputError } from '../../errors.js';
import { shellQuote } from '../../util/shell-quote.js';
import type { SudoOptions } from '../transport.js';

export interface CommandScriptParts {
  command: string;
  env?: Record<string, string>;
  sudo?: SudoOptions;
  /** The prompt sudo prints when it wants the password; unique per command so that it can be
   * recognised in the output and removed from it. */
  sudoPrompt?: string;
}

/**
 * The POSIX sh script that runs a user's command: exports first, then the command as written.
 * Under sudo the exports move inside the sudo'd shell (sudo resets the environment). The
 * password is never part of the script: with one, sudo reads it from standard input (`-S`);
 * without one, `-n` makes sudo fail at once instead of waiting for an answer that never comes.
 *
 * @example
 *   commandScript({ command: 'make install', env: { DESTDIR: '/opt/x' }, sudo: {} })
 *   // => "sudo -n -- /bin/sh -c 'export DESTDIR='\''/opt/x'\''\nmake install'"
 */
export function commandScript(parts: CommandScriptParts): string {
  const body = [...exportLines(parts.env ?? {}), parts.command].join('\n');
  if (!parts.sudo) return body;
  const auth =
    parts.sudo.password === undefined
      ? ['-n']
      : ['-S', '-p', shellQuote(parts.sudoPrompt ?? 'Password:')];
  const user = parts.sudo.user === undefined ? [] : ['-u', shellQuote(parts.sudo.user)];
  return ['sudo', ...auth, ...user, '--', '/bin/sh', '-c', shellQuote(body)].join(' ');
}

function exportLines(env: Record<string, string>): string[] {
  return Object.entries(env).map(([name, value]) => {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
      throw new InputError(
        `environment variable name ${JSON.stringify(name)} is not a shell identifier`,
        {
          fields: { env: name },
        },
      );
    }
    return `export ${name}=${shellQuote(value)}`;
  });
}

/**
 * Wraps a script for an SSH exec request. OpenSSH starts every session's command in a new session
 * (setsid), so the shell's own pid is the process group of everything the command starts. The
 * shell prints that pid behind a unique marker on stderr before anything else, which is how a
 * later kill can reach the whole group, and `exec /bin/sh` keeps the login shell's dialect (csh,
 * fish) out of the way.
 */
export function remoteWrapper(script: string, pgidMarker: string): string {
  const announce = `printf '%s%s\\n' ${shellQuote(pgidMarker)} "$$" >&2`;
  return `exec /bin/sh -c ${shellQuote(`${announce}\n${script}`)}`;
}

/**
 * Ends a process group: TERM first, then KILL for whatever is still there after the grace time.
 * Bounded: at most `graceSeconds * 10` checks, 0.1 s apart.
 */
export function killGroupScript(pgid: number, graceSeconds = 2): string {
  if (!Number.isSafeInteger(pgid) || pgid <= 1)
    throw new InputError(`invalid process group ${pgid}`);
  // `kill -SIG -pgid` (no `--`): dash's kill does not accept `--`; after a signal option the
  // negative number is read as a process group by every POSIX shell.
  const group = `-${pgid}`;
  return [
    `kill -TERM ${group} 2>/dev/null || exit 0`,
    'i=0',
    `while [ "$i" -lt ${graceSeconds * 10} ] && kill -0 ${group} 2>/dev/null; do sleep 0.1; i=$((i + 1)); done`,
    `kill -KILL ${group} 2>/dev/null`,
    'exit 0',
  ].join('\n');
}
