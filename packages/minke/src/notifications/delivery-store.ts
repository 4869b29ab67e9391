import type {
  DeliveriesQuery,
  DeliveryItem,
  DeliveryState,
  NotificationEvent,
} from '@minke/contract';
import type { Database } from '../store/database.js';
import { countedPage } from '../store/counted-page.js';

/** A notification to queue: one channel, one message. */
export interface NewDelivery {
  channel: string;
  kind: DeliveryItem['kind'];
  event: NotificationEvent | 'test';
  runId: number | null;
  subject: string;
  payload: Record<string, unknown>;
  /** Deliveries with the same key are one (several servers hearing the same event). */
  dedupeKey?: string | undefined;
}

/** A delivery taken for an attempt. */
export interface ClaimedDelivery extends DeliveryItem {
  payload: Record<string, unknown>;
}

type Row = {
  id: number;
  channel: string;
  kind: string;
  event: string;
  run_id: number | null;
  subject: string;
  payload: Record<string, unknown>;
  state: string;
  attempts: number;
  last_error: string | null;
  created_at: string;
  next_attempt_at: string | null;
  delivered_at: string | null;
};

/**
 * The one writer of the delivery log (`minke_notification_deliveries`, also the retry queue) and
 * of the last outcome per job (`minke_notification_outcomes`). An attempt is claimed with a
 * conditional update and an expiry, so of several servers exactly one sends it, and one that
 * dies mid-attempt leaves it to the others once the claim expires.
 */
export class DeliveryStore {
  constructor(private readonly database: Database) {}

  private get tables() {
    return this.database.tables;
  }

  /** Queues a delivery; undefined when one with its dedupe key exists already. */
  async enqueue(delivery: NewDelivery): Promise<DeliveryItem | undefined> {
    const row = await this.tables
      .insertInto('minke_notification_deliveries')
      .values({
        channel: delivery.channel,
        kind: delivery.kind,
        event: delivery.event,
        run_id: delivery.runId,
        subject: delivery.subject,
        payload: delivery.payload,
        state: 'pending',
        dedupe_key: delivery.dedupeKey ?? null,
        next_attempt_at: new Date(),
      })
      .onConflict((oc) => oc.column('dedupe_key').doNothing())
      .returningAll()
      .executeTakeFirst();
    return row ? itemOf(row) : undefined;
  }

  /**
   * Takes up to `limit` due deliveries for `owner` until `leaseMs` from now; only those of run
   * `runId` when given (a CLI sends its own run's, not the rest of the log).
   */
  async claimDue(
    owner: string,
    limit: number,
    leaseMs: number,
    runId?: number,
  ): Promise<ClaimedDelivery[]> {
    const now = new Date().toISOString();
    let query = this.tables.selectFrom('minke_notification_deliveries');
    if (runId !== undefined) query = query.where('run_id', '=', runId);
    const due = await query
      .select('id')
      .where('state', 'in', ['pending', 'retrying'])
      .where('next_attempt_at', '<=', now)
      .where((eb) => eb.or([eb('claimed_until', 'is', null), eb('claimed_until', '<', now)]))
      .orderBy('id')
      .limit(limit)
      .execute();
    const claimed: ClaimedDelivery[] = [];
    for (const { id } of due) {
      const result = await this.tables
        .updateTable('minke_notification_deliveries')
        .set({ claimed_by: owner, claimed_until: new Date(Date.now() + leaseMs) })
        .where('id', '=', id)
        .where('state', 'in', ['pending', 'retrying'])
        .where((eb) => eb.or([eb('claimed_until', 'is', null), eb('claimed_until', '<', now)]))
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) !== 1) continue;
      const row = await this.tables
        .selectFrom('minke_notification_deliveries')
        .selectAll()
        .where('id', '=', id)
        .executeTakeFirstOrThrow();
      claimed.push({ ...itemOf(row), payload: row.payload });
    }
    return claimed;
  }

  async delivered(id: number, attempts: number): Promise<void> {
    await this.finishAttempt(id, { state: 'delivered', attempts, delivered_at: new Date() });
  }

  /** An attempt failed: try again at `at`, or give up (`at` undefined). */
  async attemptFailed(id: number, attempts: number, error: string, at?: Date): Promise<void> {
    await this.finishAttempt(id, {
      state: at ? 'retrying' : 'failed',
      attempts,
      last_error: error.slice(0, 2000),
      next_attempt_at: at ?? null,
    });
  }

  async get(id: number): Promise<DeliveryItem | undefined> {
    const row = await this.tables
      .selectFrom('minke_notification_deliveries')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return row ? itemOf(row) : undefined;
  }

  /** The log, newest first. */
  async list(query: Omit<DeliveriesQuery, 'run'> & { run?: number | undefined }) {
    const limit = query.limit ?? 50;
    const offset = query.offset ?? 0;
    let base = this.tables.selectFrom('minke_notification_deliveries');
    if (query.channel) base = base.where('channel', '=', query.channel);
    if (query.run) base = base.where('run_id', '=', query.run);
    if (query.state) base = base.where('state', '=', query.state);
    const { rows, total } = await countedPage(base, { limit, offset }, (query) =>
      query.selectAll().orderBy('id', 'desc'),
    );
    return { items: rows.map(itemOf), total, limit, offset };
  }

  /**
   * Records a job's (or session's) latest outcome; returns whether the one before it failed
   * (undefined: none before), which "recovered" is judged by.
   */
  async swapOutcome(key: string, failed: boolean, runId: number): Promise<boolean | undefined> {
    return this.database.tables.transaction().execute(async (trx) => {
      const before = await trx
        .selectFrom('minke_notification_outcomes')
        .select(['failed', 'run_id'])
        .where('subject_key', '=', key)
        .executeTakeFirst();
      if (before && before.run_id >= runId) return undefined; // heard already, or older
      await trx
        .insertInto('minke_notification_outcomes')
        .values({ subject_key: key, failed, run_id: runId, updated_at: new Date() })
        .onConflict((oc) =>
          oc.column('subject_key').doUpdateSet({ failed, run_id: runId, updated_at: new Date() }),
        )
        .execute();
      return before?.failed;
    });
  }

  private async finishAttempt(
    id: number,
    set: {
      state: DeliveryState;
      attempts: number;
      last_error?: string;
      next_attempt_at?: Date | null;
      delivered_at?: Date;
    },
  ): Promise<void> {
    await this.tables
      .updateTable('minke_notification_deliveries')
      .set({ ...set, claimed_by: null, claimed_until: null })
      .where('id', '=', id)
      .execute();
  }
}

function itemOf(row: Row): DeliveryItem {
  return {
    id: row.id,
    channel: row.channel,
    kind: row.kind as DeliveryItem['kind'],
    event: row.event as DeliveryItem['event'],
    runId: row.run_id,
    subject: row.subject,
    state: row.state as DeliveryState,
    attempts: row.attempts,
    lastError: row.last_error,
    createdAt: row.created_at,
    nextAttemptAt: row.state === 'delivered' || row.state === 'failed' ? null : row.next_attempt_at,
    deliveredAt: row.delivered_at,
  };
}
