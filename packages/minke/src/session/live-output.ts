import type { OutputStream } from '../transport/transport.js';

export interface LiveOutputOptions {
  /** Characters per command that go out as they come. */
  headChars: number;
  /** After that, what one update carries at most: the latest output. */
  tailChars: number;
  /** After that, at most one update per stream this often. */
  intervalMs: number;
}

/** 4 Mi characters live (40,000 lines of a chatty build log), then a 16 Ki character glimpse four
 * times a second. */
export const DEFAULT_LIVE_OUTPUT: LiveOutputOptions = {
  headChars: 4 * 1024 * 1024,
  tailChars: 16 * 1024,
  intervalMs: 250,
};

type Send = (stream: OutputStream, chunk: string, skipped: number) => void;

/**
 * Bounds the output one command sends to live views (the event bus, SSE, browsers): the first
 * `headChars` as they arrive, then only the latest `tailChars` at most every `intervalMs`, each
 * update saying how many characters it skipped. A command printing 200 MB thus costs the bus
 * at most about 4 MB plus 64 KB a second; the full text is in the output store, not in events.
 *
 * @example
 *   const live = new LiveOutput((stream, chunk, skipped) => bus.publish(...));
 *   live.push('stdout', chunk); // for every chunk
 *   live.flush();               // when the command ends: the last lines are always shown
 */
export class LiveOutput {
  private sent = 0;
  private lastSent = Number.NEGATIVE_INFINITY;
  private readonly pending: Record<OutputStream, string> = { stdout: '', stderr: '' };
  private readonly skipped: Record<OutputStream, number> = { stdout: 0, stderr: 0 };

  constructor(
    private readonly send: Send,
    private readonly options: LiveOutputOptions = DEFAULT_LIVE_OUTPUT,
    private readonly now: () => number = () => performance.now(),
  ) {}

  push(stream: OutputStream, chunk: string): void {
    if (chunk === '') return;
    if (this.sent < this.options.headChars && this.pending[stream] === '') {
      const room = this.options.headChars - this.sent;
      const now = chunk.slice(0, room);
      this.sent += now.length;
      this.send(stream, now, this.skipped[stream]);
      this.skipped[stream] = 0;
      chunk = chunk.slice(now.length);
      if (chunk === '') return;
    }
    const held = this.pending[stream] + chunk;
    const over = held.length - this.options.tailChars;
    this.pending[stream] = over > 0 ? held.slice(over) : held;
    if (over > 0) this.skipped[stream] += over;
    if (this.now() - this.lastSent >= this.options.intervalMs) this.flush();
  }

  /** Sends what is held (at the end of the command, and at each interval). */
  flush(): void {
    this.lastSent = this.now();
    for (const stream of ['stdout', 'stderr'] as const) {
      if (this.pending[stream] === '') continue;
      this.send(stream, this.pending[stream], this.skipped[stream]);
      this.sent += this.pending[stream].length;
      this.pending[stream] = '';
      this.skipped[stream] = 0;
    }
  }
}
