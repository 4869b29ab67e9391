import { MESSAGE_LEVELS, type MessageKind, type MessageLevel } from '@minke/contract/states';
import { InputError } from '../errors.js';
import type { CommandResult } from '../transport/transport.js';

export { MESSAGE_LEVELS, type MessageKind, type MessageLevel } from '@minke/contract/states';

/** A message a session leaves for the user; `text` is always a plain-text rendering of it. */
export interface SessionMessage {
  level: MessageLevel;
  kind: MessageKind;
  text: string;
  /** Structured content: table rows, or the command's exit code, output and timing. */
  data?: unknown;
}

/** Columns at which preformatted text is wrapped, as the original (MINKE_MESSAGE_WRAP). */
export const MESSAGE_WRAP = 120;

/** `true`/undefined is info, `false` is error, a level name is itself (any case). */
export function toMessageLevel(level: boolean | string | undefined): MessageLevel {
  if (level === undefined || level === true) return 'info';
  if (level === false) return 'error';
  const name = level.toLowerCase();
  if ((MESSAGE_LEVELS as readonly string[]).includes(name)) return name as MessageLevel;
  throw new InputError(`invalid message level "${level}": use info, warning or error`);
}

export function textMessage(text: string, level: MessageLevel = 'info'): SessionMessage {
  return { level, kind: 'text', text };
}

/** Text shown as is, in a fixed-width font, its long lines wrapped. */
export function preformattedMessage(text: string, level: MessageLevel = 'info'): SessionMessage {
  return { level, kind: 'preformatted', text: wrapLines(text, MESSAGE_WRAP) };
}

/** Rows of cells, left-aligned in columns four spaces apart. */
export function tableMessage(
  rows: readonly (readonly unknown[])[],
  level: MessageLevel = 'info',
): SessionMessage {
  const cells = rows.map((row) =>
    row.map((cell) => (cell === null || cell === undefined ? '' : String(cell as string))),
  );
  const widths: number[] = [];
  for (const row of cells)
    row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  const text = cells
    .map((row) =>
      row
        .map((cell, i) => cell.padEnd(widths[i] ?? 0))
        .join('    ')
        .trimEnd(),
    )
    .join('\n');
  return { level, kind: 'table', text, data: cells };
}

/**
 * A command's execution: `code[<exit>]` and the command, then its stdout and stderr. Its level is
 * error when the command failed, warning when it wrote to stderr, info otherwise.
 */
export function commandMessage(result: CommandResult, level?: MessageLevel): SessionMessage {
  const code = `code[${result.exitCode ?? (result.timedOut ? 'timeout' : 'killed')}]`.padEnd(10);
  const commandLines = wrapLines(result.command, MESSAGE_WRAP - 10).split('\n');
  // Joined as text, never spread into an array: output may have hundreds of thousands of lines.
  let text = commandLines.map((line, i) => (i === 0 ? code : ' '.repeat(10)) + line).join('\n');
  if (result.stdout !== '') text += `\nstdout:\n${result.stdout.replace(/\n$/, '')}`;
  if (result.stderr !== '') text += `\nstderr:\n${result.stderr.replace(/\n$/, '')}`;
  const failed = result.exitCode !== 0;
  return {
    level: level ?? (failed ? 'error' : result.stderr !== '' ? 'warning' : 'info'),
    kind: 'command',
    text,
    data: {
      command: result.command,
      exitCode: result.exitCode,
      killed: result.killed,
      timedOut: result.timedOut,
      ...(result.outputCut ? { outputCut: result.outputCut } : {}),
    },
  };
}

function wrapLines(text: string, width: number): string {
  return text
    .split('\n')
    .flatMap((line) => {
      if (line.length <= width) return [line];
      const parts: string[] = [];
      for (let i = 0; i < line.length; i += width) parts.push(line.slice(i, i + width));
      return parts;
    })
    .join('\n');
}
