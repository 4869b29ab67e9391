import type { CollectedOutput } from './command-output.js';
import type { CommandResult } from '../transport.js';

export interface FinishedCommand {
  command: string;
  startedAt: Date;
  exitCode: number | null;
  signal?: string | undefined;
  output: CollectedOutput;
  pty: boolean;
  killed: boolean;
  timedOut: boolean;
}

/** Builds the result; a command Minke killed has no exit code, whatever the shell reported. */
export function commandResult(done: FinishedCommand): CommandResult {
  const finishedAt = new Date();
  const ended = done.killed || done.timedOut;
  const result: CommandResult = {
    command: done.command,
    exitCode: ended ? null : done.exitCode,
    stdout: done.output.stdout,
    stderr: done.output.stderr,
    startedAt: done.startedAt,
    finishedAt,
    durationMs: finishedAt.getTime() - done.startedAt.getTime(),
    pty: done.pty,
    killed: done.killed,
    timedOut: done.timedOut,
  };
  if (done.signal) result.signal = done.signal;
  if (done.output.cut) result.outputCut = done.output.cut;
  return result;
}
