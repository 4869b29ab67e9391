import { pino, type DestinationStream } from 'pino';
import { humanLogStream } from './human-log-lines.js';

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
  /** A stream instead of a file descriptor (tests read the lines back). */
  stream?: DestinationStream;
}

/**
 * Keys that hold secrets, censored wherever a log call passes them by mistake (the code logs no
 * headers and no credentials on purpose; this is the second line of defence).
 */
const redactedPaths = [
  'authorization',
  'cookie',
  'password',
  'token',
  '*.authorization',
  '*.cookie',
  '*.password',
  '*.token',
  '*.headers.authorization',
  '*.headers.cookie',
  '*.headers["set-cookie"]',
];

/**
 * Minke's logger: one JSON object per line (pino), with `app: "minke"`, ISO times and secrets
 * censored. Level from `level`, else MINKE_LOG_LEVEL, else info. On a terminal (stderr is a TTY)
 * the lines are written for people instead (`12:03:04 INFO  message key=value`);
 * MINKE_LOG_FORMAT=json or =pretty chooses either way.
 *
 * @example
 *   const logger = createLogger();
 *   logger.info({ runId: 7 }, 'run started');
 *   // {"level":30,"time":"2030-01-01T00:00:00.000Z","app":"minke","runId":7,"msg":"run started"}
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  return pino(
    {
      level: options.level ?? process.env['MINKE_LOG_LEVEL'] ?? 'info',
      base: { app: 'minke' },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: redactedPaths, censor: '[redacted]' },
    },
    options.stream ?? destinationFor(options.destination ?? 2),
  );
}

/**
 * How this process writes its log to stderr: lines for people on a terminal (or when
 * MINKE_LOG_FORMAT=pretty), JSON lines otherwise. A worker thread's stderr is no terminal, so a
 * session thread is told its server's choice.
 */
export function stderrLogFormat(): 'pretty' | 'json' {
  const format = process.env['MINKE_LOG_FORMAT'];
  return format === 'pretty' || (format !== 'json' && process.stderr.isTTY) ? 'pretty' : 'json';
}

function destinationFor(fd: number): DestinationStream {
  const format = process.env['MINKE_LOG_FORMAT'];
  const terminal = fd === 2 ? process.stderr : fd === 1 ? process.stdout : undefined;
  const human = format === 'pretty' || (format !== 'json' && Boolean(terminal?.isTTY));
  if (!human) return pino.destination(fd);
  const color = Boolean(terminal?.isTTY) && !process.env['NO_COLOR'];
  return humanLogStream(terminal ?? pino.destination(fd), color);
}

/** A logger that drops everything: for tests and for CLI commands that print their own output. */
export const silentLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  child: () => silentLogger,
};
