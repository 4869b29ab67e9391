import type { TargetState } from '@minke/contract';
import { randomUUID, type KeyObject } from 'node:crypto';
import {
  createRequest,
  DEFAULT_REQUEST_TTL_MS,
  encodeMessage,
  signRequest,
  type Result,
  type Target,
} from '@minke/protocol';
import type { MinkeKysely } from '../store/minke-kysely.js';
import { inTransaction, type DatabaseHandle } from '../store/transaction.js';
import { answerTargets, type TargetAnswer } from './target-answers.js';

/** How a request chose its nodes, as recorded in the ledger. */
export type RequestSelection = { all: true } | { nodes: string[] } | { where: string };

const OPEN_TARGET_STATES: readonly TargetState[] = ['pending', 'delivered'];

export interface NewRequest {
  plugin: string;
  selection: RequestSelection;
  /** The nodes to ask; with `selection.all` the request is one broadcast. */
  nodes: readonly string[];
  ttlMs?: number;
  createdBy?: string | null;
  privateKey: KeyObject;
  now?: Date;
}

export interface RequestTargetStatus {
  node: string;
  state: TargetState;
  error: string | null;
  resultId: string | null;
  answeredAt: string | null;
}

export interface RequestStatus {
  id: string;
  plugin: string;
  selection: RequestSelection;
  state: 'open' | 'done';
  createdAt: string;
  expiresAt: string;
  createdBy: string | null;
  targets: RequestTargetStatus[];
}

/** A signed message waiting to go out on one topic. */
export interface Outgoing {
  /** Undefined for a broadcast (req/all). */
  node?: string;
  payload: string;
  /** What to mark when it has been published. */
  requestId: string;
  targetIds: number[];
}

/**
 * The request ledger: every request anyone made (CLI, API, UI), whom it is for, and how far each
 * node got with it. The ledger is also the outbox: `minke dispatch` in another process only
 * writes here, and the gateway of the running server publishes what is new (see gateway.ts).
 *
 * A broadcast (`--all`) is one signed message published once on `req/all`, and again on a node's
 * own topic for nodes that were offline; requests for chosen nodes are one signed message each,
 * all with the request's id (a copy is signed for its node, so it cannot be replayed to another).
 */
export class RequestStore {
  constructor(private readonly database: DatabaseHandle) {}

  private get db(): MinkeKysely {
    return this.database.tables;
  }

  /**
   * Marks the targets a batch of results answers, in the caller's transaction (the facts are
   * stored in the same commit): one answer per result, in order (see target-answers.ts).
   */
  answerTargets(trx: MinkeKysely, results: readonly Result[]): Promise<TargetAnswer[]> {
    return answerTargets(trx, results);
  }

  /** Signs and records a request; returns its id. */
  async create(input: NewRequest): Promise<{ id: string; expiresAt: string }> {
    const now = input.now ?? new Date();
    const ttlMs = input.ttlMs ?? DEFAULT_REQUEST_TTL_MS;
    const id = randomUUID();
    const sign = (target: Target, messageId: string) =>
      encodeMessage(
        signRequest(
          createRequest({ plugin: input.plugin, target, ttlMs, now, id: messageId }),
          input.privateKey,
        ),
      );
    const broadcast = 'all' in input.selection;
    const expiresAt = new Date(now.getTime() + ttlMs);
    await inTransaction(this.database, async ({ tables: trx }) => {
      await trx
        .insertInto('minke_agent_requests')
        .values({
          id,
          plugin: input.plugin,
          target: input.selection,
          created_at: now,
          expires_at: expiresAt,
          created_by: input.createdBy ?? null,
          signed: broadcast ? sign({ all: true }, id) : null,
        })
        .execute();
      // One id everywhere: each node's signed copy carries the request's own id, so the CLI,
      // the API, the ledger and every agent's log name the same request.
      const rows = input.nodes.map((node) => ({
        request_id: id,
        node,
        message_id: id,
        signed: broadcast ? null : sign({ node }, id),
      }));
      for (let i = 0; i < rows.length; i += 100) {
        await trx
          .insertInto('minke_agent_request_targets')
          .values(rows.slice(i, i + 100))
          .execute();
      }
    });
    return { id, expiresAt: expiresAt.toISOString() };
  }

  /**
   * What is new: broadcasts never published, and targets never published whose node is online
   * (a broadcast's targets only after the broadcast itself went out). Targets of offline nodes
   * wait for their node's presence (`openFor`).
   */
  async unpublished(now = new Date(), limit = 5000): Promise<Outgoing[]> {
    const notExpired = now.toISOString();
    const broadcasts = await this.db
      .selectFrom('minke_agent_requests')
      .select(['id', 'signed'])
      .where('state', '=', 'open')
      .where('signed', 'is not', null)
      .where('published_at', 'is', null)
      .where('expires_at', '>', notExpired)
      .orderBy('created_at')
      .limit(100)
      .execute();
    const outgoing: Outgoing[] = broadcasts.map((row) => ({
      payload: String(row.signed),
      requestId: row.id,
      targetIds: [],
    }));
    const targets = await this.db
      .selectFrom('minke_agent_request_targets as t')
      .innerJoin('minke_agent_requests as r', 'r.id', 't.request_id')
      .innerJoin('minke_agents as a', 'a.node', 't.node')
      .select(['t.id', 't.node', 't.request_id', 't.signed', 'r.signed as broadcast'])
      .where('t.state', '=', 'pending')
      .where('t.published_at', 'is', null)
      .where('a.online', '=', true)
      .where('r.expires_at', '>', notExpired)
      .where((eb) => eb.or([eb('r.signed', 'is', null), eb('r.published_at', 'is not', null)]))
      .orderBy('t.id')
      .limit(limit)
      .execute();
    for (const row of targets) outgoing.push(this.outgoingFor(row));
    return outgoing;
  }

  /** Every open target of `node` (to publish again when it comes online). */
  async openFor(node: string, now = new Date()): Promise<Outgoing[]> {
    return this.openForNodes([node], now);
  }

  /**
   * The open targets of these nodes (all came online together: one query per 500 nodes), the
   * oldest request first, at most 1000 per node.
   */
  async openForNodes(nodes: readonly string[], now = new Date()): Promise<Outgoing[]> {
    const outgoing: Outgoing[] = [];
    for (let i = 0; i < nodes.length; i += 500) {
      const open = this.db
        .selectFrom('minke_agent_request_targets as t')
        .innerJoin('minke_agent_requests as r', 'r.id', 't.request_id')
        .select(['t.id', 't.node', 't.request_id', 't.signed', 'r.signed as broadcast'])
        .select((eb) => [
          'r.created_at as requested_at',
          eb.fn
            .agg<number>('row_number')
            .over((over) => over.partitionBy('t.node').orderBy('r.created_at').orderBy('t.id'))
            .as('rank'),
        ])
        .where('t.node', 'in', nodes.slice(i, i + 500))
        .where('t.state', 'in', OPEN_TARGET_STATES)
        .where('r.expires_at', '>', now.toISOString());
      const rows = await this.db
        .selectFrom(open.as('o'))
        .select(['o.id', 'o.node', 'o.request_id', 'o.signed', 'o.broadcast'])
        .where('o.rank', '<=', 1000)
        .orderBy('o.requested_at')
        .orderBy('o.id')
        .execute();
      for (const row of rows) outgoing.push(this.outgoingFor(row));
    }
    return outgoing;
  }

  /**
   * Marks messages as published: a broadcast's request (and the targets of the nodes online now,
   * which got it), or nodes' targets. Answered targets are left as they are.
   */
  async markPublished(outgoing: readonly Outgoing[], now = new Date()): Promise<void> {
    const at = now;
    for (const broadcast of outgoing.filter((o) => o.node === undefined)) {
      await this.db
        .updateTable('minke_agent_requests')
        .set({ published_at: at })
        .where('id', '=', broadcast.requestId)
        .execute();
      await this.db
        .updateTable('minke_agent_request_targets')
        .set({ state: 'delivered', published_at: at })
        .where('request_id', '=', broadcast.requestId)
        .where('state', '=', 'pending')
        .where(
          'node',
          'in',
          this.db.selectFrom('minke_agents').select('node').where('online', '=', true),
        )
        .execute();
    }
    const targetIds = outgoing.flatMap((o) => (o.node === undefined ? [] : o.targetIds));
    for (let i = 0; i < targetIds.length; i += 500) {
      await this.db
        .updateTable('minke_agent_request_targets')
        .set({ state: 'delivered', published_at: at })
        .where('id', 'in', targetIds.slice(i, i + 500))
        .where('state', 'in', OPEN_TARGET_STATES)
        .execute();
    }
  }

  /** Targets whose request expired become `expired`; requests with nothing open become `done`. */
  async expire(now = new Date()): Promise<number> {
    const at = now.toISOString();
    const result = await this.db
      .updateTable('minke_agent_request_targets')
      .set({ state: 'expired' })
      .where('state', 'in', OPEN_TARGET_STATES)
      .where(
        'request_id',
        'in',
        this.db.selectFrom('minke_agent_requests').select('id').where('expires_at', '<=', at),
      )
      .executeTakeFirst();
    await this.closeFinished();
    return Number(result.numUpdatedRows);
  }

  /**
   * Requests (all open ones, or these) with no open target become `done`; a broadcast only once
   * it has been published.
   */
  async closeFinished(requestIds?: readonly string[]): Promise<void> {
    if (requestIds !== undefined && requestIds.length === 0) return;
    let query = this.db
      .updateTable('minke_agent_requests')
      .set({ state: 'done' })
      .where('state', '=', 'open')
      .where((eb) => eb.or([eb('signed', 'is', null), eb('published_at', 'is not', null)]))
      .where((eb) =>
        eb.not(
          eb.exists(
            eb
              .selectFrom('minke_agent_request_targets as t')
              .select('t.id')
              .whereRef('t.request_id', '=', 'minke_agent_requests.id')
              .where('t.state', 'in', OPEN_TARGET_STATES),
          ),
        ),
      );
    if (requestIds !== undefined) query = query.where('id', 'in', [...requestIds]);
    await query.execute();
  }

  async status(id: string): Promise<RequestStatus | undefined> {
    const request = await this.db
      .selectFrom('minke_agent_requests')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    if (!request) return undefined;
    const targets = await this.db
      .selectFrom('minke_agent_request_targets')
      .select(['node', 'state', 'error', 'result_id', 'answered_at'])
      .where('request_id', '=', id)
      .orderBy('node')
      .execute();
    return {
      id,
      plugin: request.plugin,
      selection: request.target as RequestSelection,
      state: request.state === 'done' ? 'done' : 'open',
      createdAt: request.created_at,
      expiresAt: request.expires_at,
      createdBy: request.created_by,
      targets: targets.map((row) => ({
        node: row.node,
        state: row.state as TargetState,
        error: row.error,
        resultId: row.result_id,
        answeredAt: row.answered_at,
      })),
    };
  }

  private outgoingFor(row: {
    id: number;
    node: string;
    request_id: string;
    signed: string | null;
    broadcast: string | null;
  }): Outgoing {
    return {
      node: row.node,
      payload: String(row.signed ?? row.broadcast),
      requestId: row.request_id,
      targetIds: [row.id],
    };
  }
}
