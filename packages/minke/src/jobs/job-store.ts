import type { Selectable } from 'kysely';
import type { BatchPolicy, JobSecretSource, JobSelection, NotificationRule } from '@minke/contract';
import { ConflictError, NotFoundError } from '../errors.js';
import type { JobsTable } from '../store/minke-tables.js';
import type { DatabaseHandle } from '../store/transaction.js';
import type { JobValues, SavedJob, StoredSchedule } from './saved-job.js';

type JobRow = Selectable<JobsTable>;

/**
 * The one writer of `minke_jobs`: saved jobs, their schedules and the newest tick each fired.
 * Audit rows are the caller's (JobOperations writes the change and its row in one transaction).
 */
export class JobStore {
  constructor(private readonly database: DatabaseHandle) {}

  async list(): Promise<SavedJob[]> {
    const rows = await this.database.tables
      .selectFrom('minke_jobs')
      .selectAll()
      .orderBy('name')
      .execute();
    return rows.map(toJob);
  }

  /** Jobs whose schedule is on. */
  async scheduled(): Promise<SavedJob[]> {
    const rows = await this.database.tables
      .selectFrom('minke_jobs')
      .selectAll()
      .where('schedule_enabled', '=', true)
      .where('schedule_cron', 'is not', null)
      .orderBy('id')
      .execute();
    return rows.map(toJob);
  }

  async get(id: number): Promise<SavedJob> {
    return this.oneWhere('id', id);
  }

  async byName(name: string): Promise<SavedJob> {
    return this.oneWhere('name', name);
  }

  private async oneWhere(column: 'id' | 'name', value: number | string): Promise<SavedJob> {
    const row = await this.database.tables
      .selectFrom('minke_jobs')
      .selectAll()
      .where(column, '=', value)
      .executeTakeFirst();
    if (!row) throw new NotFoundError(`job ${value} does not exist`);
    return toJob(row);
  }

  /** The job a run was launched from; undefined for an ad-hoc run. */
  async ofRun(runId: number): Promise<SavedJob | undefined> {
    const row = await this.database.tables
      .selectFrom('minke_runs as run')
      .innerJoin('minke_jobs as job', 'job.id', 'run.job_id')
      .selectAll('job')
      .where('run.id', '=', runId)
      .executeTakeFirst();
    return row && toJob(row);
  }

  async create(values: JobValues, by: string | null): Promise<number> {
    const taken = await this.database.tables
      .selectFrom('minke_jobs')
      .select('id')
      .where('name', '=', values.name)
      .executeTakeFirst();
    if (taken)
      throw new ConflictError(`job ${values.name} already exists: change it instead`, {
        fields: { name: 'already taken' },
      });
    const row = await this.database.tables
      .insertInto('minke_jobs')
      .values({ ...toRow(values), created_by: by })
      .returning('id')
      .executeTakeFirstOrThrow();
    return Number(row.id);
  }

  async update(id: number, values: JobValues): Promise<void> {
    await this.database.tables
      .updateTable('minke_jobs')
      .set({ ...toRow(values), updated_at: new Date() })
      .where('id', '=', id)
      .execute();
  }

  async delete(id: number): Promise<void> {
    await this.database.tables.deleteFrom('minke_jobs').where('id', '=', id).execute();
  }

  /**
   * Claims a tick for this process: moves the job's newest tick forward to `tickAt` when it is
   * older. Two servers firing the same tick both try; one update wins, so the tick runs once.
   */
  async claimTick(id: number, tickAt: Date): Promise<boolean> {
    const result = await this.database.tables
      .updateTable('minke_jobs')
      .set({ last_tick_at: tickAt })
      .where('id', '=', id)
      .where((eb) =>
        eb.or([eb('last_tick_at', 'is', null), eb('last_tick_at', '<', tickAt.toISOString())]),
      )
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }
}

function toRow(values: JobValues) {
  const schedule = values.schedule;
  return {
    name: values.name,
    description: values.description,
    session: values.session,
    model: values.model,
    selection: values.selection as Record<string, unknown>,
    data: values.data,
    secrets: values.secrets as Record<string, unknown>,
    batch: values.batch as Record<string, unknown> | null,
    timeout_ms: values.timeoutMs,
    run_timeout_ms: values.runTimeoutMs,
    notify: values.notify as unknown[],
    owner_id: values.ownerId,
    schedule_cron: schedule?.cron ?? null,
    schedule_timezone: schedule?.timezone ?? null,
    schedule_end_at: schedule?.endAt ?? null,
    schedule_enabled: schedule?.enabled ?? false,
    schedule_missed: schedule?.missed ?? 'skip',
    schedule_overlap: schedule?.overlap ?? 'skip',
    schedule_since: schedule?.since ?? null,
    last_tick_at: schedule?.lastTickAt ?? null,
    updated_by: values.updatedBy,
  };
}

function toJob(row: JobRow): SavedJob {
  const schedule: StoredSchedule | null =
    row.schedule_cron === null
      ? null
      : {
          cron: row.schedule_cron,
          timezone: row.schedule_timezone ?? 'UTC',
          endAt: row.schedule_end_at,
          enabled: row.schedule_enabled,
          missed: row.schedule_missed === 'run-once' ? 'run-once' : 'skip',
          overlap: row.schedule_overlap === 'queue' ? 'queue' : 'skip',
          since: row.schedule_since,
          lastTickAt: row.last_tick_at,
        };
  return {
    id: Number(row.id),
    name: row.name,
    description: row.description,
    session: row.session,
    model: row.model,
    selection: row.selection as JobSelection,
    data: row.data,
    secrets: row.secrets as Record<string, JobSecretSource>,
    batch: row.batch as BatchPolicy | null,
    timeoutMs: row.timeout_ms === null ? null : Number(row.timeout_ms),
    runTimeoutMs: row.run_timeout_ms === null ? null : Number(row.run_timeout_ms),
    notify: row.notify as NotificationRule[],
    ownerId: row.owner_id === null ? null : Number(row.owner_id),
    schedule,
    createdAt: row.created_at,
    createdBy: row.created_by,
    updatedAt: row.updated_at,
    updatedBy: row.updated_by,
  };
}
