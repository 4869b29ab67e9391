import { createInterface } from 'node:readline';
import { UsageError } from './cli-error.js';

export interface RunConfirmation {
  /** The session's class name and verbose name, as the question names it. */
  session: string;
  verboseName: string;
  /** The session is marked `confirm`: a person says yes before it runs. */
  confirm: boolean;
  /** What it runs on, as the user selected it ("--where role = web", "3 ids", "all Server"). */
  selection: string;
  /** `--yes`: the user confirmed on the command line. */
  yes: boolean;
}

/**
 * Asks at a terminal before a `confirm` session runs: `--yes` skips the question; without a
 * terminal (a script, CI) and without `--yes` it refuses, saying how to go on. Sessions without
 * `confirm` are not asked about. Throws UsageError (exit 2) when the run must not start.
 */
export async function confirmRun(
  ask: RunConfirmation,
  terminal: {
    input: NodeJS.ReadableStream & { isTTY?: boolean };
    output: NodeJS.WritableStream;
  } = {
    input: process.stdin,
    output: process.stderr,
  },
): Promise<void> {
  if (!ask.confirm || ask.yes) return;
  const name =
    ask.verboseName === ask.session ? ask.session : `${ask.verboseName} (${ask.session})`;
  if (!terminal.input.isTTY) {
    throw new UsageError(
      `${name} asks for a confirmation before it runs: run it at a terminal to be asked, or add --yes`,
    );
  }
  const answer = await question(terminal, `Run ${name} on ${ask.selection}? [y/N] `);
  if (!/^y(es)?$/i.test(answer.trim()))
    throw new UsageError(`not started: ${name} was not confirmed`);
}

function question(
  terminal: { input: NodeJS.ReadableStream; output: NodeJS.WritableStream },
  text: string,
): Promise<string> {
  return new Promise((resolve) => {
    const rl = createInterface({ input: terminal.input, output: terminal.output, terminal: true });
    rl.question(text, (answer) => {
      // before close: closing says "no answer" below, and the first word counts
      resolve(answer);
      rl.close();
    });
    // Ctrl-D or a closed terminal: no answer is a no
    rl.once('close', () => resolve(''));
  });
}

/** The selection flags in words, for the question. */
export function selectionText(options: {
  model?: string | undefined;
  id?: readonly string[] | undefined;
  where?: string | undefined;
  all?: boolean | undefined;
}): string {
  const model = options.model ?? 'the model';
  if (options.all) return `every ${model} object`;
  if (options.where !== undefined) return `the ${model} objects where ${options.where}`;
  const ids = options.id ?? [];
  return ids.length === 1 ? `${ids[0]}` : `${ids.length} objects (${ids.join(', ')})`;
}
