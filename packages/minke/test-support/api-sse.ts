import { serverSentEvents, type ServerSentEvent } from '../src/cli/remote/sse-reader.js';

/** One server-sent event as a client sees it. */
export type SseEvent = ServerSentEvent;

export interface SseRead {
  status: number;
  events: SseEvent[];
  /** The last `id:` seen, as EventSource would send it back in Last-Event-ID. */
  lastId: string | undefined;
  comments: string[];
}

export interface FollowedStream extends SseRead {
  end: 'server closed' | 'stopped';
}

interface StreamOptions {
  headers?: Record<string, string>;
  timeoutMs?: number;
}

/**
 * Reads an event stream with `fetch` until `until` holds for an event (or `timeoutMs` passes,
 * which fails), then disconnects. A stream that ends first is an error.
 */
export async function readEvents(
  url: string,
  options: StreamOptions & { until: (event: SseEvent, all: SseEvent[]) => boolean },
): Promise<SseRead> {
  const read = await consume(url, options, options.until, 20_000);
  if (read.end === 'server closed') throw new Error('the stream ended before the expected event');
  return read;
}

/**
 * Follows an event stream the way a browser tab does until its server goes away: reads every
 * event, and resolves when the server ends the stream (a restart) or `stopWhen` holds. Unlike
 * `readEvents`, a stream that ends is an outcome, not an error: what was read and the last id
 * (for Last-Event-ID) are what the next connection resumes from.
 *
 * @example
 *   const first = await followEvents(`${a}/api/events?run=7&since=0`, {
 *     onEvent: (event) => { if (sawLine5(event)) void serverA.close(); },
 *   });
 *   first.end; // 'server closed'
 */
export function followEvents(
  url: string,
  options: StreamOptions & {
    /** Called for each event as it arrives (a test closes the server from here). */
    onEvent?: (event: SseEvent, all: SseEvent[]) => void;
    /** The client stops reading (and disconnects) once this holds. */
    stopWhen?: (event: SseEvent, all: SseEvent[]) => boolean;
  },
): Promise<FollowedStream> {
  return consume(
    url,
    options,
    (event, all) => {
      options.onEvent?.(event, all);
      return options.stopWhen?.(event, all) ?? false;
    },
    30_000,
  );
}

async function consume(
  url: string,
  options: StreamOptions,
  stop: (event: SseEvent, all: SseEvent[]) => boolean,
  defaultTimeoutMs: number,
): Promise<FollowedStream> {
  const controller = new AbortController();
  const timeoutMs = options.timeoutMs ?? defaultTimeoutMs;
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  const result: FollowedStream = {
    status: 0,
    events: [],
    lastId: undefined,
    comments: [],
    end: 'stopped',
  };
  try {
    const response = await fetch(url, {
      headers: options.headers ?? {},
      signal: controller.signal,
    });
    result.status = response.status;
    if (!response.ok || !response.body) {
      await response.body?.cancel();
      return result;
    }
    try {
      for await (const event of serverSentEvents(response.body, (text) =>
        result.comments.push(text),
      )) {
        if (event.id !== undefined) result.lastId = event.id;
        result.events.push(event);
        if (stop(event, result.events)) return result;
      }
    } catch (error) {
      // A connection cut (reset rather than ended) is the same to a browser as a close.
      if (controller.signal.aborted) throw error;
    }
    result.end = 'server closed';
    return result;
  } catch (error) {
    if (controller.signal.aborted)
      throw new Error(
        `no matching event within ${timeoutMs} ms, and the stream did not end ` +
          `(${result.events.length} read)`,
      );
    throw error;
  } finally {
    clearTimeout(timer);
    controller.abort();
  }
}
