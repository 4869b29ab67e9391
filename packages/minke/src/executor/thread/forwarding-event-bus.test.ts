import { describe, expect, it } from 'vitest';
import type { RunEvent } from '../../events/run-events.js';
import { ForwardingEventBus } from './forwarding-event-bus.js';

const line = (chunk: string): RunEvent => ({
  type: 'output',
  runId: 1,
  recordId: 1,
  stream: 'stdout',
  chunk,
  at: new Date().toISOString(),
});

const failOnHandlerError = (error: unknown): never => {
  throw error;
};

describe('ForwardingEventBus', () => {
  it('sends what one callback published when that callback is done, before the next callback', async () => {
    const sent: string[][] = [];
    const bus = new ForwardingEventBus(
      (events) => sent.push(events.map((event) => (event.type === 'output' ? event.chunk : ''))),
      failOnHandlerError,
    );
    // Two callbacks of one turn of the event loop, as two sockets' data would be: the second
    // may be long on a busy thread, and the first one's events must not wait for it.
    const seenBySecond = await new Promise<string[][]>((resolve) => {
      setImmediate(() => {
        bus.publish(line('a'));
        bus.publish(line('b'));
        expect(sent).toEqual([]); // gathered while the callback runs
      });
      setImmediate(() => resolve(sent.map((batch) => [...batch])));
    });
    expect(seenBySecond).toEqual([['a', 'b']]);
    await bus.close();
  });

  it('gives each event to its own subscribers at once, and sends what waits when closed', async () => {
    const sent: RunEvent[][] = [];
    const bus = new ForwardingEventBus((events) => sent.push(events), failOnHandlerError);
    const local: string[] = [];
    bus.subscribe((event) => local.push(event.type));
    bus.publish(line('a'));
    expect(local).toEqual(['output']);
    await bus.close();
    expect(sent.flat()).toHaveLength(1);
    await Promise.resolve(); // the microtask queued by publish finds nothing left to send
    expect(sent).toHaveLength(1);
  });
});
