import type { EventBus } from '../src/events/event-bus.js';
import type { DeliveredEvent } from '../src/events/run-events.js';

/** Resolves with the run's events once it has finished; rejects after `timeoutMs`. */
export function runFinished(
  bus: EventBus,
  runId: number,
  timeoutMs = 60_000,
): Promise<DeliveredEvent[]> {
  return new Promise((resolve, reject) => {
    const done = () => bus.since(0, { runId }).some((event) => event.type === 'run.finished');
    if (done()) {
      resolve(bus.since(0, { runId }));
      return;
    }
    const timer = setTimeout(() => {
      unsubscribe();
      reject(new Error(`run ${runId} did not finish within ${timeoutMs} ms`));
    }, timeoutMs);
    const unsubscribe = bus.subscribe(
      (event) => {
        if (event.type !== 'run.finished') return;
        clearTimeout(timer);
        unsubscribe();
        resolve(bus.since(0, { runId }));
      },
      { runId },
    );
  });
}

/** Resolves when `predicate` holds for an event of the run (past or future). */
export function eventSeen(
  bus: EventBus,
  runId: number,
  predicate: (event: DeliveredEvent) => boolean,
  timeoutMs = 30_000,
): Promise<DeliveredEvent> {
  return new Promise((resolve, reject) => {
    const past = bus.since(0, { runId }).find(predicate);
    if (past) {
      resolve(past);
      return;
    }
    const timer = setTimeout(() => {
      unsubscribe();
      reject(new Error(`no matching event in run ${runId} within ${timeoutMs} ms`));
    }, timeoutMs);
    const unsubscribe = bus.subscribe(
      (event) => {
        if (!predicate(event)) return;
        clearTimeout(timer);
        unsubscribe();
        resolve(event);
      },
      { runId },
    );
  });
}
