/** One server-sent event as a client sees it. */
export interface SseEvent {
  id: string | undefined;
  event: string;
  data: string;
}

export interface SseRead {
  status: number;
  events: SseEvent[];
  /** The last `id:` seen, as EventSource would send it back in Last-Event-ID. */
  lastId: string | undefined;
  comments: string[];
}

/**
 * Reads an event stream with `fetch` until `until` holds for an event (or `timeoutMs` passes,
 * which fails), then disconnects.
 */
export async function readEvents(
  url: string,
  options: {
    headers?: Record<string, string>;
    until: (event: SseEvent, all: SseEvent[]) => boolean;
    timeoutMs?: number;
  },
): Promise<SseRead> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), options.timeoutMs ?? 20_000);
  const result: SseRead = { status: 0, events: [], lastId: undefined, comments: [] };
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
      const { value, done } = await reader.read();
      if (done) throw new Error('the stream ended before the expected event');
      buffer += value;
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const event = parseBlock(block, result);
        if (!event) continue;
        result.events.push(event);
        if (options.until(event, result.events)) {
          await reader.cancel();
          return result;
        }
      }
    }
  } catch (error) {
    if (controller.signal.aborted)
      throw new Error(`no matching event within the time limit (${result.events.length} read)`);
    throw error;
  } finally {
    clearTimeout(timer);
    controller.abort();
  }
}

function parseBlock(block: string, state: SseRead): SseEvent | undefined {
  let event = 'message';
  let id: string | undefined;
  const data: string[] = [];
  for (const line of block.split('\n')) {
    if (line.startsWith(':')) state.comments.push(line.slice(1).trim());
    else if (line.startsWith('id: ')) id = line.slice(4);
    else if (line.startsWith('event: ')) event = line.slice(7);
    else if (line.startsWith('data: ')) data.push(line.slice(6));
  }
  if (id !== undefined) state.lastId = id;
  if (data.length === 0) return undefined;
  return { id, event, data: data.join('\n') };
}
