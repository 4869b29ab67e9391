import { canonicalJson, type Result, type ResultFormat } from '@minke/protocol';
import type { Logger } from '../logger.js';
import { sql } from 'kysely';
import type { Database } from '../store/database.js';
import type { MinkeKysely } from '../store/minke-kysely.js';
import { inTransaction } from '../store/transaction.js';
import type { AgentStore } from './agent-store.js';
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
  private readonly ledger: RequestStore;

  constructor(
    private readonly database: Database,
    private readonly agents: AgentStore,
    private readonly logger?: Logger,
  ) {
    this.ledger = new RequestStore(database);
  }

  private get db(): MinkeKysely {
    return this.database.tables;
  }

  /**
   * Stores a batch of results in one transaction (the gateway batches what arrives together,
   * which is what makes thousands of results a second possible on SQLite). Returns one outcome
   * per result, in order, and the ids of the requests they touched.
   */
  async storeResults(
    results: readonly Result[],
  ): Promise<{ outcomes: StoreOutcome[]; requestIds: string[]; refusals: ResultRefusal[] }> {
    // Agent ids first: on SQLite a query outside the transaction would wait for it forever.
    const agentIds = new Map<string, number>();
    for (const result of results) {
      if (!agentIds.has(result.node))
        agentIds.set(result.node, await this.agents.ensure(result.node));
    }
    const requestIds = new Set<string>();
    const refusals: ResultRefusal[] = [];
    const outcomes = await inTransaction(this.database, async ({ tables: trx }) => {
      const done: StoreOutcome[] = [];
      for (const result of results) {
        const agentId = agentIds.get(result.node) as number;
        done.push(await this.storeOne(trx, agentId, result, requestIds, refusals));
      }
      await this.agents.touch(trx, [...new Set(agentIds.values())]);
      return done;
    });
    return { outcomes, requestIds: [...requestIds], refusals };
  }

  private async storeOne(
    trx: MinkeKysely,
    agentId: number,
    result: Result,
    requestIds: Set<string>,
    refusals: ResultRefusal[],
  ): Promise<StoreOutcome> {
    // The ledger's request id (older targeted requests had a per-node message id of their own):
    // it is the id `minke dispatch` and `POST /api/dispatch` gave, so a fact leads back to it.
    let requestId: string | null = null;
    if (result.requestId !== undefined) {
      const answered = await this.ledger.answerTarget(trx, result);
      if (answered === 'duplicate') return 'duplicate';
      if ('code' in answered) {
        refusals.push({ resultId: result.id, node: result.node, ...answered });
        // The gateway logs, counts and answers it (without its content).
        this.logger?.debug(
          { node: result.node, requestId: result.requestId, resultId: result.id },
          'result refused',
        );
        return 'refused';
      }
      requestIds.add(answered.requestId);
      requestId = answered.requestId;
    }
    if (!result.ok || result.format === undefined) return 'failed';
    return this.updateFact(trx, agentId, result, result.format, requestId);
  }

  private async updateFact(
    trx: MinkeKysely,
    agentId: number,
    result: Result,
    format: ResultFormat,
    requestId: string | null,
  ): Promise<StoreOutcome> {
    const current = await trx
      .selectFrom('minke_facts')
      .select(['id', 'format', 'value', 'collected_at', 'result_id'])
      .where('agent_id', '=', agentId)
      .where('plugin', '=', result.plugin)
      .executeTakeFirst();
    if (current?.result_id === result.id) return 'duplicate';
    const collectedAt = Date.parse(result.finishedAt);
    if (current && Date.parse(current.collected_at) > collectedAt) return 'stale';
    const value = result.value ?? null;
    // The column is NOT NULL: a JSON null is stored as the text null, not as SQL NULL.
    const stored = value === null ? sql<unknown>`'null'` : value;
    const row = {
      format,
      value: stored,
      collected_at: result.finishedAt,
      request_id: requestId,
      result_id: result.id,
      updated_at: new Date(),
    };
    if (current) {
      await trx.updateTable('minke_facts').set(row).where('id', '=', current.id).execute();
    } else {
      await trx
        .insertInto('minke_facts')
        .values({ agent_id: agentId, plugin: result.plugin, ...row })
        .execute();
    }
    const changed =
      !current ||
      current.format !== format ||
      canonicalJson(current.value) !== canonicalJson(value);
    if (!changed) return 'unchanged';
    await trx
      .insertInto('minke_fact_history')
      .values({
        agent_id: agentId,
        plugin: result.plugin,
        format,
        value: stored,
        collected_at: row.collected_at,
        request_id: row.request_id,
        result_id: result.id,
      })
      .onConflict((oc) => oc.column('result_id').doNothing())
      .execute();
    return 'stored';
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

  /** The values a plugin had on an agent, newest first. */
  async history(agentId: number, plugin: string, limit = 100): Promise<FactRecord[]> {
    const rows = await this.db
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
      .where('h.plugin', '=', plugin)
      .orderBy('h.collected_at', 'desc')
      .orderBy('h.id', 'desc')
      .limit(limit)
      .execute();
    return rows.map((row) => this.toRecord(row));
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
