import type { NodeFactHistoryPage, NodeFacts } from '@minke/contract';
import type { Project } from '../operations/project.js';
import { AgentStore } from './agent-store.js';
import { FactStore } from './fact-store.js';
import { checkedHistoryQuery, versionsPage, type FactHistoryQuery } from './host-facts.js';

/*
 * Facts by an agent's node name. A node reports facts from its first connection, before a host of
 * its name is added (or when it never will be), and `minke facts NODE` reads them on the project;
 * these are the same reads for the API. An unknown node is a NotFoundError naming `agents enroll`.
 */

/** A node's current facts, one per plugin, with the host it belongs to (null: none yet). */
export async function nodeFacts(project: Project, node: string): Promise<NodeFacts> {
  const agents = new AgentStore(project);
  const agent = await agents.get(node);
  const facts = await new FactStore(project.database, agents).current(agent.id);
  return {
    node: agent.node,
    host: agent.hostName,
    online: agent.online,
    lastSeen: agent.lastSeen,
    facts,
  };
}

/** The versions a plugin's fact had on a node, newest first, each with its diff. */
export async function nodeFactHistory(
  project: Project,
  node: string,
  query: FactHistoryQuery,
): Promise<NodeFactHistoryPage> {
  const page = checkedHistoryQuery(query);
  const agents = new AgentStore(project);
  const agent = await agents.get(node);
  const { plugin, limit, offset } = page;
  return {
    node: agent.node,
    host: agent.hostName,
    plugin,
    limit,
    offset,
    ...(await versionsPage(project, agents, agent.id, page)),
  };
}
