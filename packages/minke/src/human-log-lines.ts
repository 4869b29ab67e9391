import { styleText } from 'node:util';
import type { DestinationStream } from 'pino';

const LEVELS: Record<number, { name: string; style: Parameters<typeof styleText>[0] }> = {
  10: { name: 'TRACE', style: 'gray' },
  20: { name: 'DEBUG', style: 'gray' },
  30: { name: 'INFO', style: 'green' },
  40: { name: 'WARN', style: 'yellow' },
  50: { name: 'ERROR', style: 'red' },
  60: { name: 'FATAL', style: 'red' },
};

/** Keys every line has, or that say nothing to a person reading a terminal. */
const QUIET_KEYS = new Set(['level', 'time', 'msg', 'app', 'pid', 'hostname']);

/**
 * A pino destination for people: each JSON line becomes `12:03:04 INFO  message key=value`.
 * Used when stderr is a terminal, so the log reads like the start-up text around it; pipes and
 * files keep the JSON lines machines parse.
 */
export function humanLogStream(
  out: { write(text: string): unknown } = process.stderr,
  color = false,
): DestinationStream {
  return { write: (line: string) => void out.write(humanLogLine(line, color)) };
}

/** One pino JSON line as a line for a person; a line that is not JSON passes as it is. */
export function humanLogLine(line: string, color = false): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line.endsWith('\n') ? line : `${line}\n`;
  }
  const level = LEVELS[Number(entry['level'])] ?? { name: String(entry['level']), style: 'white' };
  const time = typeof entry['time'] === 'string' ? entry['time'].slice(11, 19) : '';
  const name = level.name.padEnd(5);
  const fields = Object.entries(entry)
    .filter(([key]) => !QUIET_KEYS.has(key))
    .map(([key, value]) => `${key}=${fieldText(value)}`);
  const message = typeof entry['msg'] === 'string' ? entry['msg'] : '';
  const text = [time, color ? styleText(level.style, name) : name, message, ...fields]
    .filter((part) => part !== '')
    .join(' ');
  return `${text}\n`;
}

function fieldText(value: unknown): string {
  if (value !== null && typeof value === 'object' && 'message' in value)
    return JSON.stringify(value.message); // an error: its message
  if (typeof value === 'string') return /^[^\s"=]+$/.test(value) ? value : JSON.stringify(value);
  return JSON.stringify(value);
}
