import type { HistoryCommand } from '@minke/contract';
import { OutputBuffer } from './output-buffer.js';

/** A stored session's commands as one output: `$ command`, its output, its exit status. */
export function bufferFromCommands(commands: readonly HistoryCommand[]): OutputBuffer {
  const buffer = new OutputBuffer();
  for (const command of commands) appendCommand(buffer, command);
  return buffer;
}

export function appendCommand(buffer: OutputBuffer, command: HistoryCommand): void {
  buffer.note('command', `$ ${command.command}`);
  if (command.stdout) buffer.append(command.stdout, 'stdout');
  if (command.stderr) {
    buffer.flush();
    buffer.append(command.stderr, 'stderr');
  }
  buffer.flush();
  const exit =
    command.exitCode !== null
      ? `exit ${command.exitCode}`
      : command.signal
        ? `signal ${command.signal}`
        : 'no exit code';
  const flags = [command.killed && 'killed', command.timedOut && 'timed out'].filter(Boolean);
  const seconds = (command.durationMs / 1000).toFixed(1);
  buffer.note('status', `[${[exit, command.status, ...flags, `${seconds} s`].join(', ')}]`);
}
