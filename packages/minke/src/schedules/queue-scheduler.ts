import { createPostgresBackend, Queue, Worker, withBackend } from 'bullmq';
import { Redis } from 'ioredis';
import type { QueueBackend } from '../executor/bullmq/queue-backend.js';
import { JobStore } from '../jobs/job-store.js';
import { fireTick, type TickServices } from './fire-tick.js';
import { catchUpMissedTicks } from './missed-ticks.js';
import { scheduleSignature, type Scheduler } from './scheduler.js';

/** The queue the job schedulers put ticks on (beside the sessions' queue, same prefix). */
export const SCHEDULE_QUEUE = 'minke-schedules';

/** The part of a BullMQ queue the scheduler uses. */
interface TickQueue {
  upsertJobScheduler(
    id: string,
    repeat: { pattern: string; tz: string; endDate?: string },
    template: { name: string; data: TickData },
  ): Promise<unknown>;
  removeJobScheduler(id: string): Promise<boolean>;
  getJobSchedulers(start?: number, end?: number): Promise<{ key: string; id?: string | null }[]>;
  close(): Promise<void>;
}

/** The part of a tick job the processor reads: which job, and the tick's own time. */
interface TickJob {
  data: TickData;
  opts: { prevMillis?: number };
  timestamp: number;
}

interface TickData {
  jobId: number;
}

interface TickWorker {
  /** `force`: do not wait for ticks being fired. */
  close(force?: boolean): Promise<void>;
}

export interface QueueSchedulerOptions extends TickServices {
  backend: QueueBackend;
  queueName?: string;
  reloadMs?: number;
}

const PREFIX = 'job-';

/** How long a server's start waits to learn whether other schedulers run (Redis may be down). */
const WORKERS_ASKED_MS = 2_000;

/**
 * Whether another server's tick worker is connected to the schedules queue (BullMQ names its
 * workers' Redis connections). Not knowing (Redis down or slow, a Redis that refuses CLIENT LIST)
 * counts as no: missed ticks are then caught up, and claimed once, as before.
 */
async function schedulersRunning(queue: Pick<Queue, 'getWorkersCount'>): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const unknown = new Promise<number>((resolve) => {
    timer = setTimeout(() => resolve(0), WORKERS_ASKED_MS);
  });
  try {
    return (await Promise.race([queue.getWorkersCount(), unknown])) > 0;
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The scheduler of scaled-out servers (`minke serve` with the BullMQ executor): each enabled
 * schedule is a BullMQ job scheduler (`upsertJobScheduler`, idempotent: every server upserts the
 * same ones), which puts one job per tick on a queue; one server's worker takes it and fires the
 * tick, which is claimed in the database as well, so a tick runs once however many servers run.
 */
export class QueueScheduler implements Scheduler {
  private queue: TickQueue | undefined;
  private worker: TickWorker | undefined;
  private readonly connections: Redis[] = [];
  private readonly known = new Map<number, string>();
  private loop: NodeJS.Timeout | undefined;
  private syncing: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(private readonly options: QueueSchedulerOptions) {}

  async start(): Promise<void> {
    const name = this.options.queueName ?? SCHEDULE_QUEUE;
    const onError = (error: Error) =>
      this.options.logger.warn({ err: error }, 'the schedules queue reported an error');
    const { backend } = this.options;
    const processor = (job: TickJob) => this.process(job);
    if (backend.kind === 'redis') {
      const queueConnection = this.redis(backend, onError);
      const workerConnection = this.redis(backend, onError);
      const queue = new Queue<TickData>(name, {
        connection: queueConnection,
        prefix: backend.prefix,
      });
      queue.on('error', onError);
      this.queue = queue;
      // Missed ticks before the worker takes any: a late tick job then finds its tick taken.
      // Unless another server's scheduler is taking ticks now: then Minke was not down, and a
      // tick it fires late (a busy machine) is not a missed one.
      if (!(await schedulersRunning(queue))) await catchUpMissedTicks(this.options);
      const worker = new Worker(name, processor as never, {
        connection: workerConnection,
        prefix: backend.prefix,
        concurrency: 4,
      });
      worker.on('error', onError);
      this.worker = worker;
    } else {
      // The PostgreSQL queue cannot list its workers: missed ticks are caught up at every start.
      await catchUpMissedTicks(this.options);
      const connection = {
        connectionString: backend.url,
        ...(backend.password === undefined ? {} : { password: backend.password }),
        schema: backend.schema,
        migrate: true,
        max: 2,
      };
      const bullmq = withBackend(createPostgresBackend);
      const queue = new bullmq.Queue<TickData>(name, { connection });
      queue.on('error', onError);
      this.queue = queue;
      const worker = new bullmq.Worker(name, processor as never, { connection, concurrency: 4 });
      worker.on('error', onError);
      this.worker = worker;
    }
    // Not awaited: with the queue down (Redis unreachable) the server still comes up and says
    // so on /readyz; the schedulers are upserted once the queue answers.
    this.reload();
    this.loop = setInterval(() => this.reload(), this.options.reloadMs ?? 10_000);
    this.loop.unref();
  }

  private redis(backend: Extract<QueueBackend, { kind: 'redis' }>, onError: (e: Error) => void) {
    const connection = new Redis(backend.url, {
      ...(backend.password === undefined ? {} : { password: backend.password }),
      maxRetriesPerRequest: null,
      retryStrategy: (times) => Math.min(200 * times, 2000),
    });
    connection.on('error', onError);
    this.connections.push(connection);
    return connection;
  }

  reload(): void {
    this.syncing = this.syncing
      .then(() => this.sync())
      .catch((error: unknown) =>
        this.options.logger.warn({ err: error }, 'syncing the job schedulers failed'),
      );
  }

  /** Upserts the job schedulers of enabled schedules, removes the others'. */
  private async sync(): Promise<void> {
    const queue = this.queue;
    if (this.closed || !queue) return;
    const jobs = await new JobStore(this.options.runtime.project.database).scheduled();
    const wanted = new Set<string>();
    for (const job of jobs) {
      const schedule = job.schedule;
      if (!schedule) continue;
      const id = `${PREFIX}${job.id}`;
      wanted.add(id);
      const signature = scheduleSignature(schedule);
      if (this.known.get(job.id) === signature) continue;
      await queue.upsertJobScheduler(
        id,
        {
          pattern: schedule.cron,
          tz: schedule.timezone,
          ...(schedule.endAt === null ? {} : { endDate: schedule.endAt }),
        },
        { name: 'tick', data: { jobId: job.id } },
      );
      this.known.set(job.id, signature);
    }
    for (const scheduler of await queue.getJobSchedulers(0, -1)) {
      const id = scheduler.id ?? scheduler.key;
      if (!id.startsWith(PREFIX) || wanted.has(id)) continue;
      await queue.removeJobScheduler(id);
      this.known.delete(Number(id.slice(PREFIX.length)));
    }
  }

  private async process(job: TickJob): Promise<void> {
    // The tick's own time: what the job scheduler computed, not when a worker got to it.
    const tickAt = new Date(job.opts.prevMillis ?? job.timestamp);
    await fireTick(this.options, job.data.jobId, tickAt);
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.loop) clearInterval(this.loop);
    // Each step is bounded: with the queue down, a sync or a close would wait for it forever.
    // Ticks are fired by the worker's processor; a tick cut short is claimed in the database and
    // noted as the run it launched, so nothing waits on these connections once closing starts.
    await withinCloseLimit(
      Promise.all([this.syncing, this.worker?.close(true), this.queue?.close()]),
    );
    for (const connection of this.connections) connection.disconnect();
  }
}

const CLOSE_LIMIT_MS = 3000;

async function withinCloseLimit(step: Promise<unknown> | undefined): Promise<void> {
  if (!step) return;
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, CLOSE_LIMIT_MS);
    timer.unref();
  });
  await Promise.race([
    step.then(
      () => undefined,
      () => undefined,
    ),
    limit,
  ]);
  clearTimeout(timer);
}
