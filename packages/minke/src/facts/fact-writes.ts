import { canonicalJson, type Result, type ResultFormat } from '@minke/protocol';
import { sql } from 'kysely';
import type { MinkeKysely } from '../store/minke-kysely.js';

/** A result that carries a value to keep as its node's current fact. */
export interface FactWrite {
  agentId: number;
  result: Result;
  format: ResultFormat;
  /** The ledger's request id, or null for a result the agent sent on its own schedule. */
  requestId: string | null;
}

/** What writing one value did (the fact store's outcomes for results that carry a value). */
export type FactWriteOutcome = 'stored' | 'unchanged' | 'duplicate' | 'stale';

/** Writes per statement: well under SQLite's bound-parameter limit. */
const CHUNK = 200;

interface CurrentFact {
  format: string;
  value: unknown;
  collectedAt: number;
  resultId: string;
}

/**
 * Keeps each write's value as the current fact of its node and plugin, and a history row when the
 * value changed, in the caller's transaction; one outcome per write, in order. A result stored
 * before is a duplicate, one older than the current fact is stale and kept out of it.
 *
 * For a batch: one query for the current facts, one upsert for the new current values and one
 * insert for the history rows (writes of one node and plugin in the same batch are compared in
 * order, and the last one that counts is kept).
 */
export async function writeFacts(
  trx: MinkeKysely,
  writes: readonly FactWrite[],
): Promise<FactWriteOutcome[]> {
  const outcomes: FactWriteOutcome[] = [];
  for (let i = 0; i < writes.length; i += CHUNK) {
    const chunk = writes.slice(i, i + CHUNK);
    const current = await currentFacts(trx, chunk);
    const latest = new Map<string, ReturnType<typeof factRow>>();
    const history: ReturnType<typeof historyRow>[] = [];
    for (const write of chunk) {
      const key = factKey(write.agentId, write.result.plugin);
      const before = current.get(key);
      if (before?.resultId === write.result.id) {
        outcomes.push('duplicate');
        continue;
      }
      const collectedAt = Date.parse(write.result.finishedAt);
      if (before && before.collectedAt > collectedAt) {
        outcomes.push('stale');
        continue;
      }
      const value = write.result.value ?? null;
      latest.set(key, factRow(write));
      current.set(key, { format: write.format, value, collectedAt, resultId: write.result.id });
      const changed =
        !before ||
        before.format !== write.format ||
        canonicalJson(before.value) !== canonicalJson(value);
      if (!changed) {
        outcomes.push('unchanged');
        continue;
      }
      history.push(historyRow(write));
      outcomes.push('stored');
    }
    await upsertCurrent(trx, [...latest.values()]);
    if (history.length > 0) {
      await trx
        .insertInto('minke_fact_history')
        .values(history)
        .onConflict((oc) => oc.column('result_id').doNothing())
        .execute();
    }
  }
  return outcomes;
}

/** The current facts of the writes' nodes and plugins, by node and plugin. */
async function currentFacts(
  trx: MinkeKysely,
  writes: readonly FactWrite[],
): Promise<Map<string, CurrentFact>> {
  const rows = await trx
    .selectFrom('minke_facts')
    .select(['agent_id', 'plugin', 'format', 'value', 'collected_at', 'result_id'])
    .where('agent_id', 'in', [...new Set(writes.map((write) => write.agentId))])
    .where('plugin', 'in', [...new Set(writes.map((write) => write.result.plugin))])
    .execute();
  return new Map(
    rows.map((row) => [
      factKey(row.agent_id, row.plugin),
      {
        format: row.format,
        value: row.value,
        collectedAt: Date.parse(row.collected_at),
        resultId: row.result_id,
      },
    ]),
  );
}

async function upsertCurrent(
  trx: MinkeKysely,
  rows: readonly ReturnType<typeof factRow>[],
): Promise<void> {
  if (rows.length === 0) return;
  await trx
    .insertInto('minke_facts')
    .values([...rows])
    .onConflict((oc) =>
      oc.columns(['agent_id', 'plugin']).doUpdateSet((eb) => ({
        format: eb.ref('excluded.format'),
        value: eb.ref('excluded.value'),
        collected_at: eb.ref('excluded.collected_at'),
        request_id: eb.ref('excluded.request_id'),
        result_id: eb.ref('excluded.result_id'),
        updated_at: eb.ref('excluded.updated_at'),
      })),
    )
    .execute();
}

/** The current fact: its history row, and when it was last written. */
function factRow(write: FactWrite) {
  return { ...historyRow(write), updated_at: new Date() };
}

function historyRow({ agentId, result, format, requestId }: FactWrite) {
  return {
    agent_id: agentId,
    plugin: result.plugin,
    format,
    value: storedValue(result.value),
    collected_at: result.finishedAt,
    request_id: requestId,
    result_id: result.id,
  };
}

function storedValue(value: unknown) {
  return value === null || value === undefined ? sql<unknown>`'null'` : value;
}

function factKey(agentId: number, plugin: string): string {
  return `${agentId}\n${plugin}`;
}
