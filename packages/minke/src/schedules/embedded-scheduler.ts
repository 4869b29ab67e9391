import type { Cron } from 'croner';
import { JobStore } from '../jobs/job-store.js';
import { parseCron } from '../jobs/cron-times.js';
import { fireTick, type TickServices } from './fire-tick.js';
import { catchUpMissedTicks } from './missed-ticks.js';
import { scheduleSignature, type Scheduler } from './scheduler.js';

export interface EmbeddedSchedulerOptions extends TickServices {
  /** How often the schedules are read again, for changes other processes made (default 10 s). */
  reloadMs?: number;
}

/**
 * The scheduler of `minke start`: one croner timer per enabled schedule in this process. It
 * handles the ticks missed while Minke was down first, then keeps its timers in step with the
 * database (changes through this server at once, others' — the CLI's — within `reloadMs`).
 */
export class EmbeddedScheduler implements Scheduler {
  private readonly timers = new Map<number, { signature: string; cron: Cron }>();
  private readonly pending = new Set<Promise<unknown>>();
  private loop: NodeJS.Timeout | undefined;
  private syncing: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(private readonly options: EmbeddedSchedulerOptions) {}

  async start(): Promise<void> {
    await catchUpMissedTicks(this.options);
    await this.sync();
    this.loop = setInterval(() => this.reload(), this.options.reloadMs ?? 10_000);
    this.loop.unref();
  }

  reload(): void {
    this.syncing = this.syncing
      .then(() => this.sync())
      .catch((error: unknown) => {
        this.options.logger.warn({ err: error }, 'reading the schedules failed');
      });
  }

  /** Starts timers for new or changed schedules, stops those of removed or disabled ones. */
  private async sync(): Promise<void> {
    if (this.closed) return;
    const wanted = new Map(
      (await new JobStore(this.options.runtime.project.database).scheduled()).flatMap((job) =>
        job.schedule ? [[job.id, job.schedule] as const] : [],
      ),
    );
    for (const [id, timer] of this.timers) {
      const schedule = wanted.get(id);
      if (schedule && scheduleSignature(schedule) === timer.signature) continue;
      timer.cron.stop();
      this.timers.delete(id);
    }
    for (const [id, schedule] of wanted) {
      if (this.timers.has(id)) continue;
      let cron: Cron;
      try {
        cron = parseCron(schedule);
      } catch (error) {
        this.options.logger.warn({ job: id, err: error }, 'a schedule croner cannot read');
        continue;
      }
      cron.schedule(() => this.tick(id, cron));
      cron.resume();
      this.timers.set(id, { signature: scheduleSignature(schedule), cron });
    }
  }

  private tick(jobId: number, cron: Cron): void {
    // croner calls at the tick; the tick's own time is the newest one due (not "now").
    const tickAt = cron.previousRuns(1, new Date(Date.now() + 1000))[0] ?? new Date();
    const done = fireTick(this.options, jobId, tickAt)
      .catch((error: unknown) =>
        this.options.logger.error({ job: jobId, err: error }, 'a scheduled tick failed'),
      )
      .finally(() => this.pending.delete(done));
    this.pending.add(done);
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.loop) clearInterval(this.loop);
    for (const timer of this.timers.values()) timer.cron.stop();
    this.timers.clear();
    await this.syncing;
    await Promise.allSettled([...this.pending]);
  }
}
