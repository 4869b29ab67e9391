import { MAX_PAGE_SIZE, type AgentItem, type AgentPage } from '@minke/contract';
import type { ApiClient } from './api-client.js';

/** Pages read at most: 100,000 agents, the most one installation is planned for. */
const MAX_PAGES = 100;

/** Every enrolled agent, as `minke agents list` shows them: the project's or a server's. */
export interface AgentsSource {
  list(): Promise<readonly AgentItem[]>;
}

/** `GET /api/agents`, page after page, in the server's order (node names as people count). */
export function remoteAgents(client: ApiClient): AgentsSource {
  return {
    async list() {
      const agents: AgentItem[] = [];
      for (let page = 0; page < MAX_PAGES; page++) {
        const reply = await client.get<AgentPage>('/api/agents', {
          limit: MAX_PAGE_SIZE,
          offset: agents.length,
        });
        agents.push(...reply.items);
        if (reply.items.length === 0 || agents.length >= reply.total) break;
      }
      return agents;
    },
  };
}
