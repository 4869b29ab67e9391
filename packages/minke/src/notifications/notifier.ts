import type { DeliveryItem, NotificationEvent, NotificationRule } from '@minke/contract';
import { NotFoundError } from '../errors.js';
import type { Logger } from '../logger.js';
import { isFailure } from '../rollout/rollout-store.js';
import { RunStore } from '../runs/run-store.js';
import type { Database } from '../store/database.js';
import { DeliveryStore } from './delivery-store.js';
import { runMessage, type FailedObject, type NotificationMessage } from './notification-message.js';
import type { Notifications } from './notification-settings.js';
import { jobOfRun } from './run-job.js';

/** The more specific event wins when one channel listens to several that apply. */
const SPECIFICITY: NotificationEvent[] = ['run.recovered', 'run.failed', 'run.finished'];

/**
 * Turns what happened into deliveries, by the global rules and the job's: one per channel and
 * event, queued in the delivery log (the sender sends it). Safe to call from several servers
 * for the same run: a run's delivery to a channel is queued once.
 *
 * @example
 *   const notifier = new Notifier({ database, settings, logger });
 *   await notifier.scheduleMissed({ job: 'nightly-backup', tickAt, reason: 'Minke was down' });
 */
export class Notifier {
  readonly store: DeliveryStore;

  get settings(): Notifications {
    return this.deps.settings;
  }

  constructor(
    private readonly deps: {
      database: Database;
      settings: Notifications;
      logger: Logger;
      /** Called after something was queued (the sender of this process sends at once). */
      queued?: () => void;
    },
  ) {
    this.store = new DeliveryStore(deps.database);
  }

  /** A run finished: finished, failed or recovered, to every channel a rule names for it. */
  async runFinished(runId: number): Promise<number> {
    const { database } = this.deps;
    const run = await database.tables
      .selectFrom('minke_runs')
      .select(['session', 'model'])
      .where('id', '=', runId)
      .executeTakeFirst();
    if (!run) return 0;
    const job = await jobOfRun(database, runId);
    const rules = [...this.deps.settings.rules, ...(job?.rules ?? [])];
    if (rules.length === 0) return 0;
    const records = await database.tables
      .selectFrom('minke_session_records')
      .select(['id', 'object_label', 'host_name', 'process_state', 'result'])
      .where('run_id', '=', runId)
      .orderBy('id')
      .execute();
    const failed = records.filter((r) => isFailure(r.process_state, r.result));
    const key = job ? `job:${job.id}` : `session:${run.session}:${run.model}`;
    const before = await this.store.swapOutcome(key, failed.length > 0, runId);
    const events: NotificationEvent[] = ['run.finished'];
    if (failed.length > 0) events.push('run.failed');
    else if (before === true) events.push('run.recovered');
    const about = {
      id: runId,
      session: run.session,
      model: run.model,
      job: job?.name ?? null,
      summary: await new RunStore(database).summary(runId),
      counts: {
        all: records.length,
        success: records.filter((r) => r.process_state === 'completed' && r.result === 'success')
          .length,
        warning: records.filter((r) => r.process_state === 'completed' && r.result === 'warning')
          .length,
        failed: failed.length,
        notRun: records.filter((r) => ['stopped', 'canceled'].includes(r.process_state)).length,
      },
      // Every object that did not end well: failed, in error, or canceled (a budget spent).
      failed: await this.failedObjects(records.filter((r) => r.result === 'error')),
      url: this.deps.settings.baseUrl
        ? new URL(`/runs/${runId}`, this.deps.settings.baseUrl).toString()
        : null,
    };
    let queued = 0;
    for (const [channel, event] of this.matches(rules, events))
      if (await this.queue(channel, runMessage(event, about), runId, `run-${runId}:${channel}`))
        queued++;
    return queued;
  }

  /** A schedule's tick was missed (called by the scheduler of saved jobs). */
  async scheduleMissed(input: {
    job: string;
    tickAt: Date | string;
    reason: string;
    rules?: readonly NotificationRule[];
  }): Promise<number> {
    const tickAt = new Date(input.tickAt).toISOString();
    return this.other('schedule.missed', input.rules ?? [], `schedule:${input.job}:${tickAt}`, {
      subject: `Minke: schedule of ${input.job} missed at ${tickAt}`,
      text: `The tick of ${input.job} due at ${tickAt} did not run: ${input.reason}.`,
      details: { job: input.job, tickAt, reason: input.reason },
    });
  }

  /** A policy started failing on a host (called by the policies' evaluation). */
  async policyFailing(input: {
    policy: string;
    host: string;
    since?: Date | string;
    reason?: string;
  }): Promise<number> {
    const since = new Date(input.since ?? Date.now()).toISOString();
    return this.other('policy.failing', [], `policy:${input.policy}:${input.host}:${since}`, {
      subject: `Minke: policy ${input.policy} failing on ${input.host}`,
      text: `Policy ${input.policy} started failing on ${input.host} at ${since}${input.reason ? `: ${input.reason}` : ''}.`,
      details: { policy: input.policy, host: input.host, since, reason: input.reason ?? null },
    });
  }

  /** "Send test": one message to one channel, whatever the rules. */
  async test(channelName: string, by: string): Promise<DeliveryItem> {
    const channel = this.deps.settings.channels.get(channelName);
    if (!channel) throw new NotFoundError(`no notification channel named ${channelName}`);
    const at = new Date().toISOString();
    const item = await this.store.enqueue({
      channel: channel.name,
      kind: channel.kind,
      event: 'test',
      runId: null,
      subject: `Minke: test of channel ${channel.name}`,
      payload: {
        event: 'test',
        subject: `Minke: test of channel ${channel.name}`,
        text: `A test notification sent by ${by} at ${at}.`,
        at,
      } satisfies NotificationMessage,
    });
    this.deps.queued?.();
    return item as DeliveryItem;
  }

  private async other(
    event: NotificationEvent,
    extraRules: readonly NotificationRule[],
    key: string,
    content: { subject: string; text: string; details: Record<string, unknown> },
  ): Promise<number> {
    const rules = [...this.deps.settings.rules, ...extraRules];
    let queued = 0;
    for (const [channel] of this.matches(rules, [event])) {
      const message: NotificationMessage = { event, at: new Date().toISOString(), ...content };
      if (await this.queue(channel, message, null, `${key}:${channel}`)) queued++;
    }
    return queued;
  }

  /** Channel → the most specific of `events` a rule for it listens to. */
  private matches(
    rules: readonly NotificationRule[],
    events: readonly NotificationEvent[],
  ): Map<string, NotificationEvent> {
    const out = new Map<string, NotificationEvent>();
    for (const rule of rules) {
      if (!this.deps.settings.channels.has(rule.channel)) {
        this.deps.logger.warn({ channel: rule.channel }, 'notifications: a rule names no channel');
        continue;
      }
      for (const event of events) {
        if (!rule.on.includes(event)) continue;
        const current = out.get(rule.channel);
        if (!current || SPECIFICITY.indexOf(event) < SPECIFICITY.indexOf(current))
          out.set(rule.channel, event);
      }
    }
    return out;
  }

  private async queue(
    channelName: string,
    message: NotificationMessage,
    runId: number | null,
    dedupeKey: string,
  ): Promise<boolean> {
    const channel = this.deps.settings.channels.get(channelName);
    if (!channel) return false;
    const item = await this.store.enqueue({
      channel: channel.name,
      kind: channel.kind,
      event: message.event,
      runId,
      subject: message.subject,
      payload: message as unknown as Record<string, unknown>,
      dedupeKey,
    });
    if (item) this.deps.queued?.();
    return item !== undefined;
  }

  private async failedObjects(
    records: {
      id: number;
      object_label: string;
      host_name: string | null;
      process_state: string;
    }[],
  ): Promise<FailedObject[]> {
    const out: FailedObject[] = [];
    for (const record of records.slice(0, 200)) {
      const last = await this.deps.database.tables
        .selectFrom('minke_messages')
        .select('text')
        .where('session_record_id', '=', record.id)
        .where('level', '=', 'error')
        .orderBy('id', 'desc')
        .limit(1)
        .executeTakeFirst();
      out.push({
        objectLabel: record.object_label,
        hostName: record.host_name,
        processState: record.process_state,
        message: last?.text.slice(0, 500) ?? null,
      });
    }
    return out;
  }
}
