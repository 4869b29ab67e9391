import type { PolicyOrigin } from '@minke/contract';
import type { MinkeKysely } from '../store/minke-kysely.js';
import { inTransaction, type DatabaseHandle } from '../store/transaction.js';

/** A stored policy. */
export interface PolicyRow {
  id: number;
  name: string;
  description: string;
  where: string;
  scope: string | null;
  origin: PolicyOrigin;
}

/** A host's standing on a policy. */
export interface PolicyResult {
  hostId: number;
  passing: boolean;
  since: string;
  checkedAt: string;
}

/** A change of one host on one policy, to record. */
export interface PolicyChange {
  hostId: number;
  hostName: string;
  /** null: the host left the policy's scope (or was deleted). */
  passing: boolean | null;
}

/** A stored history row: a host started passing, failing, or left the scope. */
export interface PolicyHistoryRow {
  policyId: number;
  hostId: number | null;
  hostName: string;
  state: 'pass' | 'fail' | 'gone';
  changedAt: string;
}

const CHUNK = 500;

/**
 * The one writer of `minke_policies`, `minke_policy_results` and `minke_policy_history`: the
 * policies, each host's current standing, and one history row per change of standing.
 */
export class PolicyStore {
  constructor(private readonly database: DatabaseHandle) {}

  private get db(): MinkeKysely {
    return this.database.tables;
  }

  async list(): Promise<PolicyRow[]> {
    const rows = await this.db.selectFrom('minke_policies').selectAll().orderBy('name').execute();
    return rows.map(toPolicy);
  }

  async find(name: string): Promise<PolicyRow | undefined> {
    const row = await this.db
      .selectFrom('minke_policies')
      .selectAll()
      .where('name', '=', name)
      .executeTakeFirst();
    return row ? toPolicy(row) : undefined;
  }

  /** Creates or replaces a policy by name; returns its id. */
  async save(policy: Omit<PolicyRow, 'id'>): Promise<number> {
    const values = {
      description: policy.description,
      where_text: policy.where,
      scope: policy.scope,
      origin: policy.origin,
      updated_at: new Date(),
    };
    const existing = await this.find(policy.name);
    if (existing) {
      await this.db
        .updateTable('minke_policies')
        .set(values)
        .where('id', '=', existing.id)
        .execute();
      return existing.id;
    }
    const row = await this.db
      .insertInto('minke_policies')
      .values({ name: policy.name, ...values })
      .returning('id')
      .executeTakeFirstOrThrow();
    return row.id;
  }

  /** Deletes a policy with its results and history. */
  async delete(id: number): Promise<void> {
    // Children first: SQLite enforces the foreign keys' cascade only when the pragma is on.
    await this.db.deleteFrom('minke_policy_results').where('policy_id', '=', id).execute();
    await this.db.deleteFrom('minke_policy_history').where('policy_id', '=', id).execute();
    await this.db.deleteFrom('minke_policies').where('id', '=', id).execute();
  }

  /** Current standings of a policy, for some hosts or (null) all. */
  async results(
    policyId: number,
    hostIds: readonly number[] | null,
  ): Promise<Map<number, PolicyResult>> {
    const out = new Map<number, PolicyResult>();
    const chunks = hostIds === null ? [null] : chunked(hostIds);
    for (const chunk of chunks) {
      let query = this.db
        .selectFrom('minke_policy_results')
        .select(['host_id', 'passing', 'since', 'checked_at'])
        .where('policy_id', '=', policyId);
      if (chunk !== null) query = query.where('host_id', 'in', chunk);
      for (const row of await query.execute())
        out.set(row.host_id, {
          hostId: row.host_id,
          passing: row.passing,
          since: row.since,
          checkedAt: row.checked_at,
        });
    }
    return out;
  }

  /** Current standings of some hosts on every policy: policy id → host id → standing. */
  async resultsOfHosts(
    hostIds: readonly number[],
  ): Promise<Map<number, Map<number, PolicyResult>>> {
    const out = new Map<number, Map<number, PolicyResult>>();
    for (const chunk of chunked(hostIds)) {
      const rows = await this.db
        .selectFrom('minke_policy_results')
        .select(['policy_id', 'host_id', 'passing', 'since', 'checked_at'])
        .where('host_id', 'in', chunk)
        .execute();
      for (const row of rows) {
        const standings = out.get(row.policy_id) ?? new Map<number, PolicyResult>();
        standings.set(row.host_id, {
          hostId: row.host_id,
          passing: row.passing,
          since: row.since,
          checkedAt: row.checked_at,
        });
        out.set(row.policy_id, standings);
      }
    }
    return out;
  }

  /**
   * Records an evaluation of policies on some hosts, in one transaction: the check time of every
   * evaluated pair in one update per 500 hosts, then the changes of standing (with their history
   * rows), which are few. What `recordEvaluation` writes, without a statement per policy.
   */
  async recordHostsEvaluation(
    policyIds: readonly number[],
    hostIds: readonly number[],
    changes: readonly { policyId: number; changes: readonly PolicyChange[] }[],
    now: Date,
  ): Promise<void> {
    await inTransaction(this.database, async (trx) => {
      for (const hosts of chunked(hostIds))
        for (const policies of chunked(policyIds))
          await trx.tables
            .updateTable('minke_policy_results')
            .set({ checked_at: now })
            .where('host_id', 'in', hosts)
            .where('policy_id', 'in', policies)
            .execute();
      const store = new PolicyStore(trx);
      for (const write of changes)
        if (write.changes.length > 0)
          await store.recordEvaluation(write.policyId, write.changes, [], now);
    });
  }

  /**
   * Records one evaluation of a policy, in one transaction: changed standings (with a history
   * row each), hosts that left the scope (result removed, `gone` in history), and the check time
   * of the hosts that did not change (`all`: every host of the policy was evaluated).
   */
  async recordEvaluation(
    policyId: number,
    changes: readonly PolicyChange[],
    unchanged: readonly number[] | 'all',
    now: Date,
  ): Promise<void> {
    if (changes.length === 0 && unchanged !== 'all' && unchanged.length === 0) return;
    await inTransaction(this.database, async ({ tables: db }) => {
      // Every host was evaluated: one statement (the changed rows are replaced below anyway).
      if (unchanged === 'all')
        await db
          .updateTable('minke_policy_results')
          .set({ checked_at: now })
          .where('policy_id', '=', policyId)
          .execute();
      for (const chunk of unchanged === 'all' ? [] : chunked(unchanged)) {
        await db
          .updateTable('minke_policy_results')
          .set({ checked_at: now })
          .where('policy_id', '=', policyId)
          .where('host_id', 'in', chunk)
          .execute();
      }
      const gone = changes.filter((c) => c.passing === null).map((c) => c.hostId);
      const standing = changes.filter((c) => c.passing !== null);
      for (const chunk of chunked([...gone, ...standing.map((c) => c.hostId)])) {
        await db
          .deleteFrom('minke_policy_results')
          .where('policy_id', '=', policyId)
          .where('host_id', 'in', chunk)
          .execute();
      }
      for (const chunk of chunked(standing)) {
        await db
          .insertInto('minke_policy_results')
          .values(
            chunk.map((c) => ({
              policy_id: policyId,
              host_id: c.hostId,
              passing: c.passing === true,
              since: now,
              checked_at: now,
            })),
          )
          .execute();
      }
      for (const chunk of chunked(changes)) {
        await db
          .insertInto('minke_policy_history')
          .values(
            chunk.map((c) => ({
              policy_id: policyId,
              host_id: c.hostId,
              host_name: c.hostName,
              state: c.passing === null ? 'gone' : c.passing ? 'pass' : 'fail',
              changed_at: now,
            })),
          )
          .execute();
      }
    });
  }

  /** Passing and failing hosts per policy id, and the last check. */
  async counts(): Promise<
    Map<number, { passing: number; failing: number; lastChecked: string | null }>
  > {
    const rows = await this.db
      .selectFrom('minke_policy_results')
      .select((eb) => [
        'policy_id',
        'passing',
        eb.fn.countAll<number>().as('hosts'),
        eb.fn.max('checked_at').as('last_checked'),
      ])
      .groupBy(['policy_id', 'passing'])
      .execute();
    const out = new Map<number, { passing: number; failing: number; lastChecked: string | null }>();
    for (const row of rows) {
      const entry = out.get(row.policy_id) ?? { passing: 0, failing: 0, lastChecked: null };
      if (row.passing) entry.passing += Number(row.hosts);
      else entry.failing += Number(row.hosts);
      const last = row.last_checked === null ? null : String(row.last_checked);
      if (last !== null && (entry.lastChecked === null || last > entry.lastChecked))
        entry.lastChecked = last;
      out.set(row.policy_id, entry);
    }
    return out;
  }

  /** History rows of a policy (all hosts or one), oldest first, at most `limit`. */
  async history(
    policyId: number,
    options: { hostId?: number; upTo?: Date; limit: number },
  ): Promise<PolicyHistoryRow[]> {
    let query = this.db
      .selectFrom('minke_policy_history')
      .select(['policy_id', 'host_id', 'host_name', 'state', 'changed_at'])
      .where('policy_id', '=', policyId)
      .orderBy('changed_at')
      .orderBy('id')
      .limit(options.limit);
    if (options.hostId !== undefined) query = query.where('host_id', '=', options.hostId);
    if (options.upTo !== undefined)
      query = query.where('changed_at', '<=', this.database.adapter.encodeDate(options.upTo));
    return (await query.execute()).map((row) => ({
      policyId: row.policy_id,
      hostId: row.host_id,
      hostName: row.host_name,
      state: row.state as PolicyHistoryRow['state'],
      changedAt: row.changed_at,
    }));
  }
}

function toPolicy(row: {
  id: number;
  name: string;
  description: string;
  where_text: string;
  scope: string | null;
  origin: string;
}): PolicyRow {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    where: row.where_text,
    scope: row.scope,
    origin: row.origin === 'project' ? 'project' : 'api',
  };
}

function chunked<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += CHUNK) out.push(items.slice(i, i + CHUNK));
  return out;
}
