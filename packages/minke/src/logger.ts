import { pino } from 'pino';

/** The part of a logger that Minke's code calls; pino satisfies it, tests may pass their own. */
export interface Logger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
  child(bindings: Record<string, unknown>): Logger;
}

export interface LoggerOptions {
  level?: string;
  /** Where JSON lines go; stderr by default so that stdout stays for command output. */
  destination?: number;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  return pino(
    { level: options.level ?? process.env['MINKE_LOG_LEVEL'] ?? 'info', base: { app: 'minke' } },
    pino.destination(options.destination ?? 2),
  );
}

/** A logger that drops everything: for tests and for CLI commands that print their own output. */
export const silentLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  child: () => silentLogger,
};
