import type { Result } from '@minke/protocol';
import type { MinkeKysely } from '../store/minke-kysely.js';
import type { ResultRefusal } from './result-refusal.js';

/** What a result did to the request it answers: see `answerTargets`. */
export type TargetAnswer =
  { requestId: string } | 'duplicate' | Omit<ResultRefusal, 'resultId' | 'node'>;

/** Results per statement: well under SQLite's bound-parameter limit. */
const CHUNK = 500;

interface KnownTarget {
  requestId: string;
  messageId: string;
  plugin: string;
  resultId: string | null;
}

/**
 * Marks the request targets these results answer (or failed), in the caller's transaction, and
 * says what each result did, in order. A result binds only to a request its node was asked: its own target, or a
 * broadcast (which every enrolled node receives, so one enrolled after it was made gets a target
 * now). Anything else (an id nobody issued, another node's request, another plugin) is refused.
 * A target takes its first answer; a later one (another run of the agent) still names the
 * request, a result seen before is a duplicate.
 *
 * For a batch: one query for the targets, one for the requests of the results without one, and
 * one upsert for every target answered (a broadcast answered by 500 nodes is three statements,
 * where one per result made storing the slowest part of a broadcast).
 */
export async function answerTargets(
  trx: MinkeKysely,
  results: readonly Result[],
): Promise<TargetAnswer[]> {
  const answers: TargetAnswer[] = [];
  for (let i = 0; i < results.length; i += CHUNK) {
    const chunk = results.slice(i, i + CHUNK);
    const targets = await knownTargets(trx, chunk);
    const requests = await broadcastsFor(trx, chunk, targets);
    const claims = new Map<string, NewAnswer>();
    for (const result of chunk) {
      const messageId = result.requestId as string;
      const key = targetKey(messageId, result.node);
      let target = targets.get(key);
      if (!target) {
        const request = requests.get(messageId);
        if (!request) {
          answers.push({
            code: 'unknown-request',
            message: `request ${messageId} was never issued`,
          });
          continue;
        }
        if (request.signed === null) {
          answers.push({
            code: 'not-addressed',
            message: `request ${messageId} was not addressed to node ${result.node}`,
          });
          continue;
        }
        // A node enrolled after the broadcast was made: its target is made by its answer.
        target = { requestId: messageId, messageId, plugin: request.plugin, resultId: null };
        targets.set(key, target);
      }
      if (target.resultId === result.id) {
        answers.push('duplicate');
        continue;
      }
      if (target.plugin !== result.plugin) {
        answers.push(wrongPlugin(target.plugin));
        continue;
      }
      answers.push({ requestId: target.requestId });
      if (target.resultId !== null) continue; // another run answered first
      target.resultId = result.id;
      claims.set(key, {
        request_id: target.requestId,
        node: result.node,
        message_id: target.messageId,
        state: result.ok ? 'answered' : 'failed',
        result_id: result.id,
        error: result.error ?? null,
        answered_at: result.finishedAt,
      });
    }
    await recordAnswers(trx, [...claims.values()]);
  }
  return answers;
}

export function wrongPlugin(asked: string): Omit<ResultRefusal, 'resultId' | 'node'> {
  return { code: 'wrong-plugin', message: `the request asked for plugin ${asked}` };
}

type NewAnswer = {
  request_id: string;
  node: string;
  message_id: string;
  state: string;
  result_id: string;
  error: string | null;
  answered_at: string;
};

/** The targets of these results (by message id and node), with what they were answered by. */
async function knownTargets(
  trx: MinkeKysely,
  results: readonly Result[],
): Promise<Map<string, KnownTarget>> {
  const rows = await trx
    .selectFrom('minke_agent_request_targets as t')
    .innerJoin('minke_agent_requests as r', 'r.id', 't.request_id')
    .select(['t.request_id', 't.message_id', 't.node', 't.result_id', 'r.plugin'])
    .where('t.message_id', 'in', distinct(results.map((result) => result.requestId as string)))
    .where('t.node', 'in', distinct(results.map((result) => result.node)))
    .execute();
  // The query takes every pair of the ids and nodes named; only the pairs asked for are kept.
  const asked = new Set(
    results.map((result) => targetKey(result.requestId as string, result.node)),
  );
  const targets = new Map<string, KnownTarget>();
  for (const row of rows) {
    const key = targetKey(row.message_id, row.node);
    if (!asked.has(key)) continue;
    targets.set(key, {
      requestId: row.request_id,
      messageId: row.message_id,
      plugin: row.plugin,
      resultId: row.result_id,
    });
  }
  return targets;
}

/** The requests named by results that found no target of their own (broadcasts, or refused). */
async function broadcastsFor(
  trx: MinkeKysely,
  results: readonly Result[],
  targets: ReadonlyMap<string, KnownTarget>,
): Promise<Map<string, { plugin: string; signed: string | null }>> {
  const ids = distinct(
    results
      .filter((result) => !targets.has(targetKey(result.requestId as string, result.node)))
      .map((result) => result.requestId as string),
  );
  if (ids.length === 0) return new Map();
  const rows = await trx
    .selectFrom('minke_agent_requests')
    .select(['id', 'plugin', 'signed'])
    .where('id', 'in', ids)
    .execute();
  return new Map(rows.map((row) => [row.id, { plugin: row.plugin, signed: row.signed }]));
}

/**
 * Every answer in one statement: the target of (request, node) takes it, made when it is missing
 * (a broadcast's new node), only while it has no answer yet.
 */
async function recordAnswers(trx: MinkeKysely, answers: readonly NewAnswer[]): Promise<void> {
  if (answers.length === 0) return;
  await trx
    .insertInto('minke_agent_request_targets')
    .values([...answers])
    .onConflict((oc) =>
      oc
        .columns(['request_id', 'node'])
        .doUpdateSet((eb) => ({
          state: eb.ref('excluded.state'),
          result_id: eb.ref('excluded.result_id'),
          error: eb.ref('excluded.error'),
          answered_at: eb.ref('excluded.answered_at'),
        }))
        .where('minke_agent_request_targets.result_id', 'is', null),
    )
    .execute();
}

function targetKey(messageId: string, node: string): string {
  return `${messageId}\n${node}`;
}

function distinct(values: readonly string[]): string[] {
  return [...new Set(values)];
}
