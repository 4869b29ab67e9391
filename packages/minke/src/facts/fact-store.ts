import type { Result, ResultFormat } from '@minke/protocol';
import { InputError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { Database } from '../store/database.js';
import type { MinkeKysely } from '../store/minke-kysely.js';
import { inTransaction } from '../store/transaction.js';
import type { AgentStore } from './agent-store.js';
import { writeFacts, type FactWrite } from './fact-writes.js';
import { RequestStore } from './request-store.js';
import type { ResultRefusal } from './result-refusal.js';

export type { RefusalCode, ResultRefusal } from './result-refusal.js';

/** A node's value for one plugin, as collected. */
export interface FactRecord {
  node: string;
  plugin: string;
  format: ResultFormat;
  value: unknown;
  collectedAt: string;
  /** The request that asked for it; null when the agent reported on its own schedule. */
  requestId: string | null;
  resultId: string;
}

/** What storing one result did. */
export type StoreOutcome =
  | 'stored' // a new value: current fact and a history row
  | 'unchanged' // the same value again: current fact refreshed, no history row
  | 'duplicate' // this result was stored before (at-least-once delivery)
  | 'stale' // an older result than the current fact: kept out of it
  | 'failed' // the plugin failed: recorded on its request target only
  | 'refused'; // not an answer this node may give: nothing stored (see `ResultRefusal`)

/**
 * Stores agent results: each node's current fact per plugin (parsed value, when, from which
 * request and result) and a history row only when the value changed. Storing is idempotent by
 * result id (an answered request target, or the current fact, remembers it), so a result sent
 * twice is stored once; a result older than the current fact never replaces it.
 */
export class FactStore {
  constructor(
    private readonly database: Database,
    private readonly agents: AgentStore,
    private readonly logger?: Logger,
  ) {}

  private get db(): MinkeKysely {
    return this.database.tables;
  }

  /**
   * Stores a batch of results in one transaction (the gateway batches what arrives together,
   * which is what makes thousands of results a second possible on SQLite): a handful of
   * statements per batch, not per result (see target-answers.ts and fact-writes.ts). Returns one
   * outcome per result, in order, and the ids of the requests they touched.
   */
  async storeResults(
    results: readonly Result[],
  ): Promise<{ outcomes: StoreOutcome[]; requestIds: string[]; refusals: ResultRefusal[] }> {
    // Agent ids first: on SQLite a query outside the transaction would wait for it forever.
    const agentIds = await this.agents.ensureAll(results.map((result) => result.node));
    const requestIds = new Set<string>();
    const refusals: ResultRefusal[] = [];
    const outcomes = await inTransaction(this.database, async ({ tables: trx }) => {
      const asking = results.filter((result) => result.requestId !== undefined);
      const answers = await new RequestStore(this.database).answerTargets(trx, asking);
      let asked = 0; // answers come in the order of `asking`
      const done: (StoreOutcome | undefined)[] = [];
      const writes: { index: number; write: FactWrite }[] = [];
      results.forEach((result, index) => {
        // The ledger's request id (older targeted requests had a per-node message id of their
        // own): the id `minke dispatch` and `POST /api/dispatch` gave, so a fact leads back to it.
        let requestId: string | null = null;
        const answered = result.requestId === undefined ? undefined : answers[asked++];
        if (answered === 'duplicate') return done.push('duplicate');
        if (answered !== undefined && 'code' in answered) {
          refusals.push({ resultId: result.id, node: result.node, ...answered });
          // The gateway logs, counts and answers it (without its content).
          this.logger?.debug(
            { node: result.node, requestId: result.requestId, resultId: result.id },
            'result refused',
          );
          return done.push('refused');
        }
        if (answered !== undefined) {
          requestIds.add(answered.requestId);
          requestId = answered.requestId;
        }
        if (!result.ok || result.format === undefined) return done.push('failed');
        const agentId = agentIds.get(result.node) as number;
        writes.push({ index, write: { agentId, result, format: result.format, requestId } });
        return done.push(undefined);
      });
      const written = await writeFacts(
        trx,
        writes.map(({ write }) => write),
      );
      writes.forEach(({ index }, n) => (done[index] = written[n]));
      await this.agents.touch(trx, [...new Set(agentIds.values())]);
      return done as StoreOutcome[];
    });
    return { outcomes, requestIds: [...requestIds], refusals };
  }

  /** The current facts of an agent, by plugin name. */
  async current(agentId: number, plugin?: string): Promise<FactRecord[]> {
    let query = this.db
      .selectFrom('minke_facts as f')
      .innerJoin('minke_agents as a', 'a.id', 'f.agent_id')
      .select([
        'a.node',
        'f.plugin',
        'f.format',
        'f.value',
        'f.collected_at',
        'f.request_id',
        'f.result_id',
      ])
      .where('f.agent_id', '=', agentId)
      .orderBy('f.plugin');
    if (plugin !== undefined) query = query.where('f.plugin', '=', plugin);
    return (await query.execute()).map((row) => this.toRecord(row));
  }

  /**
   * The values a plugin had on an agent, newest first; with `before` (a version's resultId), those
   * older than that version (an InputError when it is no version of this fact).
   */
  async history(
    agentId: number,
    plugin: string,
    limit = 100,
    before?: string,
  ): Promise<FactRecord[]> {
    if (before !== undefined && !(await this.hasVersion(agentId, plugin, before)))
      throw new InputError(`no version of fact ${plugin} has the resultId ${before}`, {
        fields: { before: 'no such version of this fact' },
      });
    let query = this.db
      .selectFrom('minke_fact_history as h')
      .innerJoin('minke_agents as a', 'a.id', 'h.agent_id')
      .select([
        'a.node',
        'h.plugin',
        'h.format',
        'h.value',
        'h.collected_at',
        'h.request_id',
        'h.result_id',
      ])
      .where('h.agent_id', '=', agentId)
      .where('h.plugin', '=', plugin);
    // Keyset paging in the list's order, so reading deep costs what reading the top does. The
    // version's time is compared as stored (a subquery), not as read back.
    if (before !== undefined) {
      const at = this.db.selectFrom('minke_fact_history as c').where('c.result_id', '=', before);
      const time = at.select('c.collected_at');
      const row = at.select('c.id');
      query = query.where((eb) =>
        eb.or([
          eb('h.collected_at', '<', time),
          eb.and([eb('h.collected_at', '=', time), eb('h.id', '<', row)]),
        ]),
      );
    }
    const rows = await query
      .orderBy('h.collected_at', 'desc')
      .orderBy('h.id', 'desc')
      .limit(limit)
      .execute();
    return rows.map((row) => this.toRecord(row));
  }

  private async hasVersion(agentId: number, plugin: string, resultId: string): Promise<boolean> {
    const row = await this.db
      .selectFrom('minke_fact_history')
      .select('id')
      .where('agent_id', '=', agentId)
      .where('plugin', '=', plugin)
      .where('result_id', '=', resultId)
      .executeTakeFirst();
    return row !== undefined;
  }

  private toRecord(row: {
    node: string;
    plugin: string;
    format: string;
    value: unknown;
    collected_at: string;
    request_id: string | null;
    result_id: string;
  }): FactRecord {
    return {
      node: row.node,
      plugin: row.plugin,
      format: row.format as ResultFormat,
      value: row.value,
      collectedAt: row.collected_at,
      requestId: row.request_id,
      resultId: row.result_id,
    };
  }
}
