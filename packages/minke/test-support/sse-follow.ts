/**
 * Follows an event stream the way a browser tab does until its server goes away: reads every
 * event, and resolves when the server ends the stream (a restart) or `stopWhen` holds. Unlike
 * `readEvents` (api-sse.ts), a stream that ends is an outcome, not an error: what was read and
 * the last id (for Last-Event-ID) are what the next connection resumes from.
 *
 * @example
 *   const first = await followEvents(`${a}/api/events?run=7&since=0`, {
 *     onEvent: (event) => { if (sawLine5(event)) void serverA.close(); },
 *   });
 *   first.end; // 'server closed'
 */
import type { SseEvent } from './api-sse.js';

export interface FollowedStream {
  status: number;
  events: SseEvent[];
  /** The last `id:` seen, as EventSource would send it back in Last-Event-ID. */
  lastId: string | undefined;
  end: 'server closed' | 'stopped';
}

export async function followEvents(
  url: string,
  options: {
    headers?: Record<string, string>;
    /** Called for each event as it arrives (a test closes the server from here). */
    onEvent?: (event: SseEvent, all: SseEvent[]) => void;
    /** The client stops reading (and disconnects) once this holds. */
    stopWhen?: (event: SseEvent, all: SseEvent[]) => boolean;
    timeoutMs?: number;
  },
): Promise<FollowedStream> {
  const controller = new AbortController();
  const timeoutMs = options.timeoutMs ?? 30_000;
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  const result: FollowedStream = { status: 0, events: [], lastId: undefined, end: 'stopped' };
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
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    for (;;) {
      let chunk: Awaited<ReturnType<typeof reader.read>>;
      try {
        chunk = await reader.read();
      } catch (error) {
        if (controller.signal.aborted) throw error;
        // The connection was cut (reset rather than ended): the same to a browser.
        result.end = 'server closed';
        return result;
      }
      if (chunk.done) {
        result.end = 'server closed';
        return result;
      }
      buffer += chunk.value;
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const event = parseBlock(buffer.slice(0, end), result);
        buffer = buffer.slice(end + 2);
        if (!event) continue;
        result.events.push(event);
        options.onEvent?.(event, result.events);
        if (options.stopWhen?.(event, result.events)) {
          await reader.cancel();
          return result;
        }
      }
    }
  } catch (error) {
    if (controller.signal.aborted)
      throw new Error(
        `the stream neither ended nor gave the expected event within ${timeoutMs} ms ` +
          `(${result.events.length} read)`,
      );
    throw error;
  } finally {
    clearTimeout(timer);
    controller.abort();
  }
}

function parseBlock(block: string, state: FollowedStream): SseEvent | undefined {
  let event = 'message';
  let id: string | undefined;
  const data: string[] = [];
  for (const line of block.split('\n')) {
    if (line.startsWith('id: ')) id = line.slice(4);
    else if (line.startsWith('event: ')) event = line.slice(7);
    else if (line.startsWith('data: ')) data.push(line.slice(6));
  }
  if (id !== undefined) state.lastId = id;
  if (data.length === 0) return undefined;
  return { id, event, data: data.join('\n') };
}
