import { randomBytes } from 'node:crypto';
import { InputError } from '../../errors.js';
import { rename, rm } from 'node:fs/promises';
import { basename, dirname, join, posix } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { expandHome } from '../config/expand-home.js';
import type { FileEnd } from './file-end.js';
import { localFiles } from '../local/local-files.js';
import { NotARegularFile, transferError } from './transfer-error.js';
import { TransportError } from '../transport-error.js';
import type {
  GetOptions,
  PutOptions,
  PutSource,
  TransferOptions,
  TransferResult,
} from '../transport.js';

/** A transfer with no time limit of its own and none from the connection gets this one. */
export const defaultTransferTimeoutMs = 600_000;
/** `get` into memory refuses larger files: a log file must not take the worker down. */
export const defaultMaxGetBytes = 64 * 1024 * 1024;

/**
 * Copies a local file or bytes to `remotePath` on `remote`. The source is opened first, so a
 * missing local file never truncates the remote one; a remote directory receives the local file
 * under its own name. Bounded by the timeout and the kill signal.
 */
export function putFile(
  remote: FileEnd,
  source: PutSource,
  remotePath: string,
  options: PutOptions,
  fallbackTimeoutMs: number,
): Promise<TransferResult> {
  const startedAt = new Date();
  const localPath = typeof source === 'string' ? source : undefined;
  const what = `put ${remotePath}`;
  const { mode } = options;
  if (mode !== undefined && !(Number.isInteger(mode) && mode >= 0 && mode <= 0o7777)) {
    return Promise.reject(
      new InputError(`${what}: mode must be permission bits such as 0o644, got ${String(mode)}`),
    );
  }
  return bounded(remote.target, what, options, fallbackTimeoutMs, async (signal) => {
    const opened =
      localPath === undefined
        ? undefined
        : await onLocal(`put source ${localPath}`, () => localFiles.openRead(localPath));
    const input = opened?.stream ?? readableOf(bytesOf(source as Exclude<PutSource, string>));
    const modeToSet = mode ?? (options.preserveMode === false ? undefined : opened?.mode);
    let path = remotePath;
    try {
      if ((await remote.kind(remotePath)) === 'directory') {
        if (localPath === undefined) throw new NotARegularFile('directory');
        path = posix.join(remotePath, basename(localPath));
      }
      const output = await remote.openWrite(path, modeToSet);
      const counter = { bytes: 0 };
      await pipeline(input, counting(counter), output, { signal });
      const result = transferResult('put', path, localPath, counter.bytes, startedAt);
      return modeToSet === undefined ? result : { ...result, mode: modeToSet };
    } finally {
      input.destroy();
    }
  });
}

/**
 * Copies `remotePath` from `remote` to `options.localPath` (written to a temporary file beside
 * it and renamed into place, so a failed get leaves the old file as it was), or into memory up
 * to `maxBytes`. Bounded by the timeout and the kill signal.
 */
export function getFile(
  remote: FileEnd,
  remotePath: string,
  options: GetOptions,
  fallbackTimeoutMs: number,
): Promise<TransferResult> {
  const startedAt = new Date();
  const what = `get ${remotePath}`;
  return bounded(remote.target, what, options, fallbackTimeoutMs, async (signal) => {
    const input = await remote.openRead(remotePath);
    try {
      if (options.localPath === undefined) {
        const maxBytes = options.maxBytes ?? defaultMaxGetBytes;
        const tooLarge = () =>
          new TransportError(
            'transfer_failed',
            remote.target,
            `${what}: larger than ${maxBytes} bytes; give a local path to copy it to a file`,
          );
        if (input.size > maxBytes) throw tooLarge();
        const chunks: Buffer[] = [];
        const counter = { bytes: 0 };
        await pipeline(
          input.stream,
          counting(counter, maxBytes, tooLarge),
          async (source: AsyncIterable<Buffer>) => {
            for await (const chunk of source) chunks.push(chunk);
          },
          { signal },
        );
        const result = transferResult('get', remotePath, undefined, counter.bytes, startedAt);
        return { ...result, data: Buffer.concat(chunks) };
      }
      const localPath = await localDestination(options.localPath, remotePath);
      const bytes = await writeLocalAtomically(localPath, input.stream, signal);
      return transferResult('get', remotePath, localPath, bytes, startedAt);
    } finally {
      input.stream.destroy();
    }
  });
}

/** Runs `work` under the transfer's time limit and kill signal; every failure a TransportError. */
async function bounded<T>(
  target: string,
  what: string,
  options: TransferOptions,
  fallbackTimeoutMs: number,
  work: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const timeoutMs = options.timeoutMs ?? fallbackTimeoutMs;
  const timeout = new AbortController();
  const timer = setTimeout(() => timeout.abort(), timeoutMs);
  const signal = options.killSignal
    ? AbortSignal.any([options.killSignal, timeout.signal])
    : timeout.signal;
  try {
    // Opening a file has no signal of its own: the race makes a stuck open give up too (its
    // transport closes what was left half-open).
    return await Promise.race([work(signal), rejectOnAbort(signal)]);
  } catch (error) {
    if (timeout.signal.aborted) {
      throw new TransportError('transfer_timeout', target, `${what}: no end after ${timeoutMs} ms`);
    }
    if (options.killSignal?.aborted) {
      throw new TransportError('transfer_failed', target, `${what}: killed`);
    }
    throw transferError(error, target, what);
  } finally {
    clearTimeout(timer);
  }
}

function rejectOnAbort(signal: AbortSignal): Promise<never> {
  return new Promise((_resolve, reject) => {
    if (signal.aborted) reject(signal.reason as Error);
    signal.addEventListener('abort', () => reject(signal.reason as Error), { once: true });
  });
}

/** Errors of the Minke machine's side name it, not the host. */
async function onLocal<T>(what: string, step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (error) {
    throw transferError(error, localFiles.target, what);
  }
}

/** A local directory (or a path ending in `/`) receives the file under its remote name. */
async function localDestination(localPath: string, remotePath: string): Promise<string> {
  const path = expandHome(localPath);
  const isDirectory =
    path.endsWith('/') ||
    (await onLocal(`get to ${localPath}`, () => localFiles.kind(path))) === 'directory';
  return isDirectory ? join(path, posix.basename(remotePath)) : path;
}

async function writeLocalAtomically(
  path: string,
  input: Readable,
  signal: AbortSignal,
): Promise<number> {
  const temporary = join(
    dirname(path),
    `.${basename(path)}.minke-${randomBytes(6).toString('hex')}.part`,
  );
  const output = await onLocal(`get to ${path}`, () => localFiles.openWrite(temporary));
  const counter = { bytes: 0 };
  try {
    await pipeline(input, counting(counter), output, { signal });
    await onLocal(`get to ${path}`, () => rename(temporary, path));
    return counter.bytes;
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

/** Counts the bytes that pass, and stops them past `maxBytes` (a file that grew meanwhile). */
function counting(
  counter: { bytes: number },
  maxBytes = Number.POSITIVE_INFINITY,
  tooLarge?: () => Error,
) {
  return async function* count(source: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
    for await (const chunk of source) {
      counter.bytes += chunk.length;
      if (counter.bytes > maxBytes && tooLarge) throw tooLarge();
      yield chunk;
    }
  };
}

/** An empty source sends no chunk at all: an empty write is not something to send a server. */
function readableOf(bytes: Buffer): Readable {
  return Readable.from(bytes.length === 0 ? [] : [bytes]);
}

function bytesOf(source: Exclude<PutSource, string>): Buffer {
  const content = 'content' in source ? source.content : source;
  if (typeof content === 'string') return Buffer.from(content, 'utf8');
  return Buffer.from(content.buffer, content.byteOffset, content.byteLength);
}

function transferResult(
  direction: 'put' | 'get',
  remotePath: string,
  localPath: string | undefined,
  bytes: number,
  startedAt: Date,
): TransferResult {
  const finishedAt = new Date();
  return {
    direction,
    remotePath,
    ...(localPath === undefined ? {} : { localPath }),
    bytes,
    startedAt,
    finishedAt,
    durationMs: finishedAt.getTime() - startedAt.getTime(),
  };
}
