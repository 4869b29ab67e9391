import { spawn } from 'node:child_process';
import { InputError } from '../errors.js';

/** How many lines of a failed command's stderr its error shows. */
const STDERR_LINES = 10;

/**
 * Runs a source's command (an argv, no shell) in the project folder and returns what it prints.
 * A non-zero exit, a signal, output over `maxBytes` or a run longer than `timeoutMs` (the process
 * group is killed) is an InputError naming the command, with the last lines of its stderr.
 */
export function runCommand(
  argv: readonly string[],
  options: { cwd: string; timeoutMs: number; maxBytes: number },
): Promise<string> {
  const [program, ...args] = argv;
  if (program === undefined) return Promise.reject(new InputError('the command is empty'));
  const shown = argv.join(' ');
  return new Promise((resolve, reject) => {
    const child = spawn(program, args, {
      cwd: options.cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true, // its own process group: a timeout kills what it started too
      env: commandEnv(process.env),
    });
    const out: Buffer[] = [];
    let outSize = 0;
    let err = '';
    let failure: string | undefined;
    const stop = (reason: string) => {
      failure ??= reason;
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        child.kill('SIGKILL'); // the group is gone already; the child may not be
      }
    };
    const timer = setTimeout(
      () => stop(`did not finish within ${options.timeoutMs / 1000} s (killed)`),
      options.timeoutMs,
    );
    child.stdout.on('data', (chunk: Buffer) => {
      outSize += chunk.byteLength;
      if (outSize > options.maxBytes)
        stop(`printed more than the ${options.maxBytes} bytes allowed`);
      else out.push(chunk);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      // Only the tail is shown: keep a bounded window of it.
      err = (err + chunk.toString('utf8')).slice(-16_384);
    });
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(new InputError(`command ${shown}: cannot start (${error.message})`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const tail = lastLines(err);
      if (failure) return reject(new InputError(`command ${shown}: ${failure}${tail}`));
      if (code !== 0) {
        const how = signal ? `was killed by ${signal}` : `exited with status ${code}`;
        return reject(new InputError(`command ${shown}: ${how}${tail}`));
      }
      resolve(Buffer.concat(out).toString('utf8'));
    });
  });
}

/**
 * The server's environment without Minke's own secrets (database, Redis, MQTT passwords, tokens):
 * a script needs its cloud's credentials, not Minke's.
 */
function commandEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(
    Object.entries(env).filter(([key]) => !/^MINKE_.*(PASSWORD|TOKEN|SECRET|KEY)/.test(key)),
  );
}

function lastLines(text: string): string {
  const lines = text.trimEnd().split('\n').slice(-STDERR_LINES);
  if (lines.join('').trim() === '') return '';
  // One line: the CLI prints an error's first line, and a log line is one line too.
  return `; its stderr ends: ${lines.map((line) => line.trim()).join(' | ')}`;
}
