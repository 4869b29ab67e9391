import type { EventBus } from '../events/event-bus.js';
import type { Logger } from '../logger.js';
import { RunJournal } from '../runs/run-journal.js';
import type { RunStore } from '../runs/run-store.js';
import type { Database } from '../store/database.js';
import { HostLeases } from './host-lease.js';
import { PeriodicPass } from './periodic-pass.js';

export interface RunReaperOptions {
  database: Database;
  runs: RunStore;
  bus: EventBus;
  logger: Logger;
  /** How often to look for work whose holder is gone. */
  intervalMs?: number;
}

/** How a reaper looks: what it says when a pass fails, and whether it looks once at start. */
export interface ReaperPass {
  failure: string;
  lookAtStart: boolean;
}

/**
 * What the reapers share: a pass on a timer (never two at a time), the run journal they end
 * sessions through, and host leases to free. A subclass says what one pass ends.
 */
export abstract class RunReaper {
  protected readonly journal: RunJournal;
  /** Only frees the leases of holders that are gone: their lifetime here is never used. */
  protected readonly leases: HostLeases;
  private readonly periodic: PeriodicPass;

  constructor(
    options: RunReaperOptions,
    private readonly pass: ReaperPass,
  ) {
    this.journal = new RunJournal(options.runs, options.bus);
    this.leases = new HostLeases(options.database, 0);
    this.periodic = new PeriodicPass(
      () => this.reap(),
      (error: unknown) => options.logger.warn({ err: error }, pass.failure),
      options.intervalMs ?? 5000,
    );
  }

  /** Starts the passes; resolves when the first look (if it looks at start) is over. */
  start(): Promise<void> {
    return this.periodic.start(this.pass.lookAtStart);
  }

  async stop(): Promise<void> {
    await this.periodic.stop();
  }

  /** One pass: returns the ids of the session records it ended. */
  abstract reap(): Promise<number[]>;
}

/** A session record's identity as the run journal's events carry it. */
export function recordRef(
  runId: number,
  row: { id: number; object_id: number; object_label: string; host_name: string | null },
) {
  return {
    runId,
    recordId: Number(row.id),
    objectId: Number(row.object_id),
    objectLabel: row.object_label,
    hostName: row.host_name,
  };
}
