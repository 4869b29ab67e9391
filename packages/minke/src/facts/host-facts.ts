import { pluginNameProblem } from '@minke/protocol/names';
import { InputError, NotFoundError } from '../errors.js';
import type { Project } from '../operations/project.js';
import { pageLimit, pageOffset } from '../query/paging.js';
import { AgentStore, type AgentRecord } from './agent-store.js';
import { diffFacts, type FactChange } from './fact-diff.js';
import { FactStore, type FactRecord } from './fact-store.js';

/** A host's agent (if any) and its current facts, one per plugin. */
export interface HostFacts {
  host: string;
  agent: Pick<AgentRecord, 'node' | 'online' | 'lastSeen'> | null;
  facts: FactRecord[];
}

/** A version of a fact, with what changed since the version before it (null: the first). */
export interface FactVersion extends FactRecord {
  changes: FactChange[] | null;
}

export interface FactHistoryPage {
  host: string;
  plugin: string;
  node: string | null;
  /** Newest first. */
  items: FactVersion[];
  total: number;
  limit: number;
  offset: number;
}

/** How far back a history page may start: history rows are changes only, so few. */
export const MAX_HISTORY_OFFSET = 10_000;

/**
 * The current facts of a host, by plugin. A host without an agent has none (and `agent: null`);
 * an unknown host is a NotFoundError.
 */
export async function hostFacts(project: Project, hostName: string): Promise<HostFacts> {
  const { agents, agent } = await agentOfHost(project, hostName);
  if (!agent) return { host: hostName, agent: null, facts: [] };
  const facts = await new FactStore(project.database, agents).current(agent.id);
  const { node, online, lastSeen } = agent;
  return { host: hostName, agent: { node, online, lastSeen }, facts };
}

/**
 * The versions a plugin's fact had on a host, newest first, each with its changes against the
 * version before it (history holds a row only when the value changed).
 */
export async function hostFactHistory(
  project: Project,
  hostName: string,
  query: FactHistoryQuery,
): Promise<FactHistoryPage> {
  const page = checkedHistoryQuery(query);
  const { agents, agent } = await agentOfHost(project, hostName);
  const empty = { host: hostName, plugin: page.plugin, limit: page.limit, offset: page.offset };
  if (!agent) return { ...empty, node: null, items: [], total: 0 };
  return { ...empty, node: agent.node, ...(await versionsPage(project, agents, agent.id, page)) };
}

export interface FactHistoryQuery {
  plugin: string;
  limit?: number | undefined;
  offset?: number | undefined;
  /** The resultId of a version: the page starts with the version before it. */
  before?: string | undefined;
}

/** A history query with its plugin name checked and its page filled in (a 400 when wrong). */
export function checkedHistoryQuery(query: FactHistoryQuery): HistoryPage {
  const problem = pluginNameProblem(query.plugin);
  if (problem) throw new InputError(problem, { fields: { plugin: problem } });
  const limit = pageLimit(query.limit);
  const offset = pageOffset(query.offset);
  if (offset > MAX_HISTORY_OFFSET) {
    throw new InputError(`offset must be at most ${MAX_HISTORY_OFFSET}`, {
      fields: { offset: `at most ${MAX_HISTORY_OFFSET}` },
    });
  }
  if (query.before !== undefined && offset > 0) {
    throw new InputError('give offset or before, not both', {
      fields: { before: 'not with offset' },
    });
  }
  return { plugin: query.plugin, limit, offset, before: query.before };
}

/** A checked history query: a page by offset, or the page after the version `before`. */
interface HistoryPage {
  plugin: string;
  limit: number;
  offset: number;
  before?: string | undefined;
}

/** One page of an agent's versions of a plugin's fact, newest first, and how many there are. */
export async function versionsPage(
  project: Project,
  agents: AgentStore,
  agentId: number,
  query: HistoryPage,
): Promise<{ items: FactVersion[]; total: number }> {
  const { plugin, limit, offset, before } = query;
  // One row more than the page: the version before the page's oldest, to diff it against.
  const rows = await new FactStore(project.database, agents).history(
    agentId,
    plugin,
    offset + limit + 1,
    before,
  );
  const page = rows.slice(offset, offset + limit + 1);
  const items = page.slice(0, limit).map((row, i): FactVersion => ({
    ...row,
    changes: page[i + 1] === undefined ? null : diffFacts(page[i + 1]?.value, row.value),
  }));
  return { items, total: await historyCount(project, agentId, plugin) };
}

async function agentOfHost(
  project: Project,
  hostName: string,
): Promise<{ agents: AgentStore; agent: AgentRecord | undefined }> {
  const host = await project.records.findBy('Host', 'name', hostName);
  if (!host) throw new NotFoundError(`host ${hostName} does not exist`);
  const agents = new AgentStore(project);
  const agent = await agents.forHostOrNode(hostName).catch((error: unknown) => {
    if (error instanceof NotFoundError) return undefined;
    throw error;
  });
  // A node of this name that belongs to another host is not this host's agent.
  return { agents, agent: agent?.hostId === Number(host['id']) ? agent : undefined };
}

async function historyCount(project: Project, agentId: number, plugin: string): Promise<number> {
  const row = await project.database.tables
    .selectFrom('minke_fact_history')
    .select((eb) => eb.fn.countAll().as('n'))
    .where('agent_id', '=', agentId)
    .where('plugin', '=', plugin)
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}
