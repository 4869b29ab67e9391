import {
  nodeNameProblem,
  type PluginInfo,
  type Presence,
  type RejectedPlugin,
} from '@minke/protocol';
import { auditedTransaction, type AuditChange } from '../audit/audit-log.js';
import { ConflictError, InputError, NotFoundError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { Project } from '../operations/project.js';
import type { Selectable } from 'kysely';
import type { MinkeKysely } from '../store/minke-kysely.js';
import type { AgentsTable } from '../store/minke-tables.js';
import { inTransaction } from '../store/transaction.js';
import { generateAgentPassword, hashAgentPassword } from './credentials.js';
import { recordPresenceChanges, recordPresences } from './presence-recorder.js';
import { CredentialLookups } from './credential-lookups.js';
import { naturalCompare } from '../util/natural-sort.js';
import { naturalOrder } from '../query/natural-order.js';
import { textMatch } from '../query/text-match.js';

/**
 * The broker user name of the Minke server itself on the embedded broker. It cannot be a node
 * name (`$` is not allowed there), so no agent can ever be enrolled under it.
 */
export const SERVER_USERNAME = '$minke-server';

export { PRESENCE_HISTORY_DAYS } from './presence-recorder.js';

export interface AgentRecord {
  id: number;
  node: string;
  hostId: number | null;
  hostName: string | null;
  enrolled: boolean;
  enrolledAt: string | null;
  lastSeen: string | null;
  online: boolean;
  agentVersion: string | null;
  plugins: PluginInfo[];
  rejected: RejectedPlugin[];
  /** The last result the server refused from this agent, and why (null: none refused). */
  lastRefusal: { reason: string; at: string } | null;
}

/** What enrolment gives: the password is shown once, written into the agent's config file. */
export interface Enrolment {
  agent: AgentRecord;
  password: string;
}

/** A page of the agents list: its filters and where it starts. */
export interface AgentPageQuery {
  online?: boolean | undefined;
  search?: string | undefined;
  limit: number;
  offset: number;
}

type AgentRow = Omit<Selectable<AgentsTable>, 'created_at'> & { host_name: string | null };

/**
 * Enrolled agents: one per node, with its broker credential (a hash: see credentials.ts), its presence and
 * the host it belongs to (the host of the same name; created for it only when the project says
 * `agents.createHostsForUnknownNodes`).
 */
export class AgentStore {
  private readonly ids = new Map<string, number>();
  private readonly credentials = new CredentialLookups(async (nodes) => {
    const rows = await this.db
      .selectFrom('minke_agents')
      .select(['node', 'credential_hash'])
      .where('node', 'in', nodes)
      .execute();
    return new Map(rows.map((row) => [row.node, row.credential_hash ?? undefined]));
  });

  constructor(
    private readonly project: Project,
    private readonly logger?: Logger,
  ) {}

  private get db(): MinkeKysely {
    return this.project.database.tables;
  }

  /**
   * Enrols `node` (again): a new random password replaces any earlier one, so re-enrolling is
   * also how a credential is revoked. `change`, when given, is its audit row, written in the
   * same transaction as the credential.
   */
  async enroll(node: string, change?: AuditChange): Promise<Enrolment> {
    checkNodeName(node);
    const password = generateAgentPassword();
    const credentialHash = hashAgentPassword(password);
    const now = new Date();
    // The new credential and its audit row are one commit.
    await auditedTransaction(this.project.database, async (trx, audit) => {
      await trx.tables
        .insertInto('minke_agents')
        .values({ node, credential_hash: credentialHash, enrolled_at: now })
        .onConflict((oc) =>
          oc.column('node').doUpdateSet({ credential_hash: credentialHash, enrolled_at: now }),
        )
        .execute();
      if (change) await audit(change);
    });
    await this.linkHost(node);
    return { agent: await this.get(node), password };
  }

  /** Notes that these agents were heard from now, in the caller's transaction (`trx`). */
  async touch(trx: MinkeKysely, ids: readonly number[]): Promise<void> {
    const now = new Date();
    for (let i = 0; i < ids.length; i += 500) {
      await trx
        .updateTable('minke_agents')
        .set({ last_seen: now })
        .where('id', 'in', ids.slice(i, i + 500))
        .execute();
    }
  }

  /** The agent of `node`, registered (without a credential) if it is new: see the gateway. */
  async ensure(node: string): Promise<number> {
    return (await this.ensureAll([node])).get(node) as number;
  }

  /**
   * The agents of these nodes, registered (without a credential) when new, by node: one query
   * per 500 unknown nodes (the agents of a reconnect storm arrive together). New agents are
   * linked to their hosts.
   */
  async ensureAll(nodes: readonly string[]): Promise<Map<string, number>> {
    const { ids, unlinked } = await this.registerAll(nodes);
    await this.linkHosts(unlinked);
    return ids;
  }

  /** `ensureAll` without linking: gives the nodes whose agents have no host yet. */
  private async registerAll(
    nodes: readonly string[],
  ): Promise<{ ids: Map<string, number>; unlinked: string[] }> {
    const ids = new Map<string, number>();
    const unknown: string[] = [];
    const unlinked: string[] = [];
    for (const node of new Set(nodes)) {
      const known = this.ids.get(node);
      if (known !== undefined) ids.set(node, known);
      else unknown.push(node);
    }
    for (const node of unknown) checkNodeName(node);
    for (let i = 0; i < unknown.length; i += 500) {
      const chunk = unknown.slice(i, i + 500);
      const existing = await this.agentRows(chunk);
      const missing = chunk.filter((node) => !existing.has(node));
      if (missing.length > 0) {
        await this.db
          .insertInto('minke_agents')
          .values(missing.map((node) => ({ node })))
          .onConflict((oc) => oc.column('node').doNothing())
          .execute();
        for (const node of missing)
          this.logger?.info({ node }, 'agent registered on first contact');
        for (const [node, row] of await this.agentRows(missing)) existing.set(node, row);
      }
      for (const [node, row] of existing) {
        if (row.host_id === null) unlinked.push(node);
        this.ids.set(node, row.id);
        ids.set(node, row.id);
      }
    }
    return { ids, unlinked };
  }

  private async agentRows(nodes: readonly string[]) {
    const rows = await this.db
      .selectFrom('minke_agents')
      .select(['id', 'node', 'host_id'])
      .where('node', 'in', nodes)
      .execute();
    return new Map(rows.map((row) => [row.node, row]));
  }

  /**
   * The stored credential hash of `node`, or undefined when it is not enrolled. Logins that
   * arrive together (a reconnect storm) are looked up together, one query per burst.
   */
  credentialHash(node: string): Promise<string | undefined> {
    return this.credentials.lookup(node);
  }

  /**
   * Replaces `node`'s stored hash `from` by `to` (an old argon2 hash by the fast form, after a
   * login proved the password). Only while `from` is still stored: a re-enrolment in between wins.
   */
  async upgradeCredentialHash(node: string, from: string, to: string): Promise<void> {
    await this.db
      .updateTable('minke_agents')
      .set({ credential_hash: to })
      .where('node', '=', node)
      .where('credential_hash', '=', from)
      .execute();
  }

  async get(node: string): Promise<AgentRecord> {
    const rows = await this.select().where('minke_agents.node', '=', node).execute();
    const row = rows[0];
    if (!row)
      throw new NotFoundError(
        `no agent for node ${node}: enrol it with \`minke agents enroll ${node}\``,
      );
    return this.toRecord(row);
  }

  async list(): Promise<AgentRecord[]> {
    const rows = await this.select().execute();
    // node names as people count them (node-2 before node-10), as host lists sort
    return rows.map((row) => this.toRecord(row)).sort((a, b) => naturalCompare(a.node, b.node));
  }

  /**
   * A page of agents in node order as people count (node-2 before node-10, read off the
   * natural-key index), with how many match: `online` filters on presence, `search` is part of
   * the node's or its host's name, in any case.
   */
  async page(query: AgentPageQuery): Promise<{ items: AgentRecord[]; total: number }> {
    const { adapter } = this.project.database;
    const needle = query.search?.trim() ?? '';
    let matching = this.select();
    if (query.online !== undefined)
      matching = matching.where('minke_agents.online', '=', query.online);
    if (needle !== '')
      matching = matching.where((eb) =>
        eb.or([
          textMatch(adapter, eb.ref('minke_agents.node'), needle, 'contains'),
          textMatch(adapter, eb.ref('minke_hosts.name'), needle, 'contains'),
        ]),
      );
    const [counted, rows] = await Promise.all([
      this.db
        .selectFrom(matching.as('matching'))
        .select((eb) => eb.fn.countAll<number | string>().as('n'))
        .executeTakeFirst(),
      matching
        .orderBy(naturalOrder(adapter.kind, 'minke_agents.node'))
        .orderBy('minke_agents.node')
        .orderBy('minke_agents.id')
        .limit(query.limit)
        .offset(query.offset)
        .execute(),
    ]);
    return { items: rows.map((row) => this.toRecord(row)), total: Number(counted?.n ?? 0) };
  }

  /** How many agents there are, and how many of them are online (two counts, no rows read). */
  async fleet(): Promise<{ total: number; online: number }> {
    const count = (online?: true) =>
      this.db
        .selectFrom('minke_agents')
        .select((eb) => eb.fn.countAll<number | string>().as('n'))
        .$if(online !== undefined, (qb) => qb.where('online', '=', true))
        .executeTakeFirst()
        .then((row) => Number(row?.n ?? 0));
    const [total, online] = await Promise.all([count(), count(true)]);
    return { total, online };
  }

  /** The agent for a host name or a node name. */
  async forHostOrNode(name: string): Promise<AgentRecord> {
    const rows = await this.select()
      .where((eb) => eb.or([eb('minke_hosts.name', '=', name), eb('minke_agents.node', '=', name)]))
      .execute();
    const row = rows.find((r) => r.host_name === name) ?? rows[0];
    if (!row) throw new NotFoundError(`no agent for host or node ${name}`);
    return this.toRecord(row);
  }

  /**
   * Records what an agent says about itself (online or its last will); a change of presence is
   * also kept in its history, in the same commit.
   */
  async recordPresence(presence: Presence): Promise<void> {
    await this.recordPresences([presence]);
  }

  /** Records presences that arrived together, in one commit (see presence-recorder.ts). */
  async recordPresences(presences: readonly Presence[]): Promise<void> {
    const nodes = presences.map((presence) => presence.node);
    await this.registerAll(nodes);
    await recordPresences(this.project.database, presences);
    // New agents, and a host added since the agent was registered: linked now.
    await this.linkHosts(nodes);
  }

  /** Remembers the last refused result of each node (the newest, when a node has several). */
  async recordRefusals(refusals: readonly { node: string; message: string }[]): Promise<void> {
    const at = new Date();
    const lastByNode = new Map(refusals.map((refusal) => [refusal.node, refusal.message]));
    for (const [node, message] of lastByNode) {
      await this.db
        .updateTable('minke_agents')
        .set({ last_refusal: message, last_refusal_at: at })
        .where('node', '=', node)
        .execute();
    }
  }

  /**
   * Nobody is online until they say so again (when the gateway starts). Those that were go
   * offline in the presence history now: while no server listened nobody heard them leave.
   */
  async markAllOffline(): Promise<void> {
    await inTransaction(this.project.database, async (trx) => {
      const changed = await trx.tables
        .updateTable('minke_agents')
        .set({ online: false })
        .where('online', '=', true)
        .returning('id')
        .execute();
      await recordPresenceChanges(trx.tables, changed, false, new Date());
    });
  }

  async onlineNodes(): Promise<Set<string>> {
    const rows = await this.db
      .selectFrom('minke_agents')
      .select('node')
      .where('online', '=', true)
      .execute();
    return new Set(rows.map((row) => row.node));
  }

  /**
   * Links the agents of these nodes that have no host yet to the hosts of the same name, in one
   * statement per 500 nodes; with `agents.createHostsForUnknownNodes` the nodes still without a
   * host get one each (a rare, first-contact case).
   */
  private async linkHosts(nodes: readonly string[]): Promise<void> {
    for (let i = 0; i < nodes.length; i += 500) {
      const chunk = nodes.slice(i, i + 500);
      await this.db
        .updateTable('minke_agents')
        .set((eb) => ({
          host_id: eb
            .selectFrom('minke_hosts')
            .select('minke_hosts.id')
            .whereRef('minke_hosts.name', '=', 'minke_agents.node'),
        }))
        .where('node', 'in', chunk)
        .where('host_id', 'is', null)
        .where((eb) =>
          eb.exists(
            eb
              .selectFrom('minke_hosts')
              .select('minke_hosts.id')
              .whereRef('minke_hosts.name', '=', 'minke_agents.node'),
          ),
        )
        .execute();
      if (!this.project.config.agents.createHostsForUnknownNodes) continue;
      const unlinked = await this.db
        .selectFrom('minke_agents')
        .select('node')
        .where('node', 'in', chunk)
        .where('host_id', 'is', null)
        .execute();
      for (const { node } of unlinked) await this.linkHost(node);
    }
  }

  /** Links the agent to the host of the same name, creating the host when configured to. */
  private async linkHost(node: string): Promise<void> {
    let host = await this.project.records.findBy('Host', 'name', node);
    if (!host && this.project.config.agents.createHostsForUnknownNodes) {
      try {
        host = await this.project.hosts.add({ name: node, comment: 'created for its agent' });
        this.logger?.info({ node }, 'host created for a new node');
      } catch (error) {
        if (!(error instanceof ConflictError)) {
          this.logger?.warn({ node, err: error }, 'cannot create a host for this node');
        }
        host = await this.project.records.findBy('Host', 'name', node);
      }
    }
    if (!host) return;
    await this.db
      .updateTable('minke_agents')
      .set({ host_id: host.id })
      .where('node', '=', node)
      .where('host_id', 'is', null)
      .execute();
  }

  private select() {
    return this.db
      .selectFrom('minke_agents')
      .leftJoin('minke_hosts', 'minke_hosts.id', 'minke_agents.host_id')
      .select([
        'minke_agents.id',
        'minke_agents.node',
        'minke_agents.host_id',
        'minke_hosts.name as host_name',
        'minke_agents.credential_hash',
        'minke_agents.enrolled_at',
        'minke_agents.last_seen',
        'minke_agents.online',
        'minke_agents.agent_version',
        'minke_agents.plugins',
        'minke_agents.rejected',
        'minke_agents.last_refusal',
        'minke_agents.last_refusal_at',
      ]);
  }

  private toRecord(row: AgentRow): AgentRecord {
    return {
      id: row.id,
      node: row.node,
      hostId: row.host_id,
      hostName: row.host_name,
      enrolled: row.credential_hash !== null,
      enrolledAt: row.enrolled_at,
      lastSeen: row.last_seen,
      online: row.online,
      agentVersion: row.agent_version,
      plugins: listOf<PluginInfo>(row.plugins),
      rejected: listOf<RejectedPlugin>(row.rejected),
      lastRefusal:
        row.last_refusal === null
          ? null
          : { reason: row.last_refusal, at: row.last_refusal_at ?? '' },
    };
  }
}

function checkNodeName(node: string): void {
  const problem = nodeNameProblem(node);
  if (problem) throw new InputError(problem, { fields: { node: problem } });
}

function listOf<T>(value: unknown): T[] {
  return Array.isArray(value) ? (value as T[]) : [];
}
