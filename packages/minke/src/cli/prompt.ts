import { createInterface } from 'node:readline';
import { UsageError } from './cli-error.js';

/**
 * Reads a password without echoing it. It never comes from argv: from the MINKE_PASSWORD
 * variable, or typed at a terminal prompt (asked twice).
 */
export async function readPassword(env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const fromEnv = env['MINKE_PASSWORD'];
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  if (!process.stdin.isTTY) {
    throw new UsageError(
      'no password: set MINKE_PASSWORD, or run this at a terminal to be asked for one',
    );
  }
  const first = await askHidden('Password: ');
  const second = await askHidden('Password (again): ');
  if (first !== second) throw new UsageError('the two passwords differ');
  return first;
}

export function askHidden(question: string): Promise<string> {
  return new Promise((resolve) => {
    const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: true });
    const output = rl as unknown as { _writeToOutput: (text: string) => void };
    rl.question(question, (answer) => {
      rl.close();
      process.stdout.write('\n');
      resolve(answer);
    });
    // Echo nothing while the password is typed.
    output._writeToOutput = () => undefined;
  });
}
