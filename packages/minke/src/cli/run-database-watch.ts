import type { DeliveredEvent, RunSummary } from '../events/run-events.js';
import { SessionHistory } from '../runs/history.js';
import { recordEvents } from './record-events.js';
import type { Database } from '../store/database.js';

export interface DatabaseWatchOptions {
  /** Records whose end the event bus delivered already (not told again). */
  printed: ReadonlySet<number>;
  /** Receives the events read back from the records, in order. */
  emit: (event: DeliveredEvent) => void;
  signal: AbortSignal;
  pollMs?: number;
  /** How long a finished run's events may still be on their way through the bus. */
  graceMs?: number;
}

/**
 * The records as a second source for a run's end: when the event bus cannot carry events (its
 * Redis away), `minke run` still learns that the run finished, and how, from the database.
 * Resolves with the summary once the run has finished and the bus stayed silent for `graceMs`;
 * undefined when `signal` ends the watch first (the bus told the end itself).
 */
export async function watchRunInDatabase(
  database: Database,
  runId: number,
  options: DatabaseWatchOptions,
): Promise<RunSummary | undefined> {
  const pollMs = options.pollMs ?? 1000;
  const deadline = Date.now() + 24 * 3600_000;
  while (!options.signal.aborted && Date.now() < deadline) {
    if (await runFinished(database, runId)) {
      await pause(options.graceMs ?? 2000, options.signal);
      if (options.signal.aborted) return undefined;
      return replayRecords(database, runId, options);
    }
    await pause(pollMs, options.signal);
  }
  return undefined;
}

async function runFinished(database: Database, runId: number): Promise<boolean> {
  const row = await database.tables
    .selectFrom('minke_runs')
    .select('state')
    .where('id', '=', runId)
    .executeTakeFirst();
  return row?.state === 'finished';
}

/** Hands on each record's messages and end as the bus would have, for those not told yet. */
async function replayRecords(
  database: Database,
  runId: number,
  options: DatabaseWatchOptions,
): Promise<RunSummary> {
  const history = new SessionHistory(database);
  const page = await history.list({ runId, limit: 1000 });
  for (const item of [...page.items].reverse()) {
    if (options.printed.has(item.id)) continue;
    for (const event of recordEvents(runId, await history.get(item.id))) options.emit(event);
  }
  return history.summary({ runId });
}

function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
