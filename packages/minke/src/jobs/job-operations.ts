import type { JobChangeBody, JobDetail, JobItem, NewJobBody } from '@minke/contract';
import { auditedTransaction } from '../audit/audit-log.js';
import type { RunUser } from '../auth/run-user.js';
import type { CredentialStore } from '../credentials/credential-store.js';
import { InputError } from '../errors.js';
import { scheduleChanged } from './schedule-changes.js';
import type { SessionRegistry } from '../session/session-registry.js';
import type { DatabaseHandle } from '../store/transaction.js';
import { requireManageJobs, requireViewJobs } from '../auth/job-access.js';
import { checkJobDefinition, scheduleOf } from './job-definition.js';
import { JobStore } from './job-store.js';
import { JobTickStore } from './job-tick-store.js';
import { jobAuditView, jobItemOf } from './job-view.js';
import type { JobValues, SavedJob } from './saved-job.js';

export interface JobServices {
  database: DatabaseHandle;
  sessions: SessionRegistry;
  credentials: CredentialStore;
  /**
   * The names of the project's notification channels: a job's rule must name one of them (its
   * messages would otherwise go nowhere, with only a warning in a server's log). Unchecked when
   * not given.
   */
  channels?: ReadonlySet<string>;
}

/**
 * Saved jobs as people manage them, shared by the API and the CLI: who may see (view_jobs) and
 * change them (manage_jobs, and the rights the job runs with), each change audited in the same
 * commit. Launching is `launchJob`.
 */
export class JobOperations {
  private readonly store: JobStore;

  constructor(private readonly services: JobServices) {
    this.store = new JobStore(services.database);
  }

  async list(user: RunUser): Promise<JobItem[]> {
    requireViewJobs(user);
    const now = new Date();
    return (await this.store.list()).map((job) => jobItemOf(job, now));
  }

  /** A job by id or name, with its newest ticks. */
  async show(user: RunUser, idOrName: number | string): Promise<JobDetail> {
    requireViewJobs(user);
    const job = await this.find(idOrName);
    const ticks = await new JobTickStore(this.services.database).list(job.id, 50);
    return { ...jobItemOf(job), ticks };
  }

  async find(idOrName: number | string): Promise<SavedJob> {
    return typeof idOrName === 'number' ? this.store.get(idOrName) : this.store.byName(idOrName);
  }

  async create(user: RunUser, input: NewJobBody, by: string | null): Promise<JobDetail> {
    requireManageJobs(user);
    this.checkChannels(input.notify);
    const schedule = input.schedule ? scheduleOf(input.schedule, null) : null;
    const definition = { ...input, schedule };
    const model = await checkJobDefinition(
      this.services.sessions,
      this.services.credentials,
      definition,
      user,
    );
    const values: JobValues = {
      name: input.name,
      description: input.description ?? '',
      session: input.session,
      model,
      selection: input.selection,
      data: input.data ?? {},
      secrets: input.secrets ?? {},
      batch: input.batch ?? null,
      timeoutMs: input.timeoutMs ?? null,
      runTimeoutMs: input.runTimeoutMs ?? null,
      notify: input.notify ?? [],
      ownerId: user.id,
      schedule,
      updatedBy: by,
    };
    const id = await auditedTransaction(this.services.database, async (trx, audit) => {
      const id = await new JobStore(trx).create(values, by);
      await audit({
        action: 'job.create',
        targetType: 'job',
        targetId: id,
        targetName: values.name,
        after: jobAuditView(values),
      });
      return id;
    });
    scheduleChanged();
    return this.show(user, id);
  }

  /** Replaces the fields given; `schedule: null` removes the schedule. */
  async update(
    user: RunUser,
    idOrName: number | string,
    change: JobChangeBody,
    by: string | null,
  ): Promise<JobDetail> {
    requireManageJobs(user);
    this.checkChannels(change.notify);
    const before = await this.find(idOrName);
    const schedule =
      change.schedule === undefined
        ? before.schedule
        : change.schedule === null
          ? null
          : scheduleOf(change.schedule, before.schedule);
    const values: JobValues = {
      name: before.name,
      description: change.description ?? before.description,
      session: change.session ?? before.session,
      model: change.model ?? (change.session === undefined ? before.model : ''),
      selection: change.selection ?? before.selection,
      data: change.data ?? before.data,
      secrets: change.secrets ?? before.secrets,
      batch: change.batch === undefined ? before.batch : change.batch,
      timeoutMs: change.timeoutMs === undefined ? before.timeoutMs : change.timeoutMs,
      runTimeoutMs: change.runTimeoutMs === undefined ? before.runTimeoutMs : change.runTimeoutMs,
      notify: change.notify ?? before.notify,
      ownerId: user.id,
      schedule,
      updatedBy: by,
    };
    values.model = await checkJobDefinition(
      this.services.sessions,
      this.services.credentials,
      { ...values, model: values.model === '' ? undefined : values.model },
      user,
    );
    await this.write(before, values, 'job.update');
    return this.show(user, before.id);
  }

  /** Switches a job's schedule on or off (a job without a schedule has none to switch). */
  async setEnabled(
    user: RunUser,
    idOrName: number | string,
    enabled: boolean,
    by: string | null,
  ): Promise<JobDetail> {
    requireManageJobs(user);
    const before = await this.find(idOrName);
    if (!before.schedule) {
      throw new InputError(
        `job ${before.name} has no schedule to ${enabled ? 'enable' : 'disable'}`,
      );
    }
    const schedule = scheduleOf({ ...before.schedule, enabled }, before.schedule);
    const { createdAt: _c, updatedAt: _u, id: _i, createdBy: _b, ...rest } = before;
    await this.write(
      before,
      { ...rest, schedule, updatedBy: by },
      enabled ? 'job.enable' : 'job.disable',
    );
    return this.show(user, before.id);
  }

  async delete(user: RunUser, idOrName: number | string): Promise<SavedJob> {
    requireManageJobs(user);
    const before = await this.find(idOrName);
    await auditedTransaction(this.services.database, async (trx, audit) => {
      await new JobStore(trx).delete(before.id);
      await audit({
        action: 'job.delete',
        targetType: 'job',
        targetId: before.id,
        targetName: before.name,
        before: jobAuditView(before),
      });
    });
    scheduleChanged();
    return before;
  }

  private checkChannels(rules: JobChangeBody['notify']): void {
    const { channels } = this.services;
    if (!channels || !rules) return;
    rules.forEach((rule, index) => {
      if (!channels.has(rule.channel))
        throw new InputError(
          `notify[${index}]: no notification channel named ${rule.channel} in the project's config`,
          { fields: { [`notify.${index}.channel`]: 'no such channel' } },
        );
    });
  }

  private async write(before: SavedJob, values: JobValues, action: string): Promise<void> {
    await auditedTransaction(this.services.database, async (trx, audit) => {
      await new JobStore(trx).update(before.id, values);
      await audit({
        action,
        targetType: 'job',
        targetId: before.id,
        targetName: before.name,
        before: jobAuditView(before),
        after: jobAuditView(values),
      });
    });
    scheduleChanged();
  }
}
