/**
 * The part of a logger the agent calls. pino satisfies it; the CLI passes a small line logger;
 * tests pass a recording one. Library code never writes to the console itself.
 */
export interface Logger {
  debug(fields: object, message: string): void;
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export const silentLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

/**
 * A logger that writes one line per entry: `2025-01-01T00:00:00.000Z WARN request dropped
 * {"reason":"expired at ..."}`. An error passed as `{ err }` keeps its type, message and stack
 * (as pino's serializer does on the server), on the same line.
 */
export function createLineLogger(write: (line: string) => void, level: LogLevel = 'info'): Logger {
  const threshold = LOG_LEVELS.indexOf(level);
  const at =
    (name: Exclude<LogLevel, 'silent'>) =>
    (fields: object, message: string): void => {
      if (LOG_LEVELS.indexOf(name) < threshold) return;
      const extra = Object.keys(fields).length > 0 ? ` ${safeJson(fields)}` : '';
      write(`${new Date().toISOString()} ${name.toUpperCase()} ${message}${extra}\n`);
    };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

function safeJson(fields: object): string {
  try {
    return JSON.stringify(fields, (_key, value: unknown) =>
      value instanceof Error
        ? { type: value.name, message: value.message, stack: value.stack }
        : value,
    );
  } catch {
    return '{}';
  }
}
