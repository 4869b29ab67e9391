import {
  MAX_PAGE_SIZE,
  type AgentEnrollment,
  type AgentItem,
  type AgentPage,
} from '@minke/contract';
import { readPages } from '../read-pages.js';
import type { ApiClient } from './api-client.js';

/** Pages read at most: 100,000 agents, the most one installation is planned for. */
const MAX_PAGES = 100;

/** Agents as `minke agents list|enroll` use them: the project's or a server's. */
export interface AgentsSource {
  /** Every enrolled agent, as `minke agents list` shows them. */
  list(): Promise<readonly AgentItem[]>;
  /** Enrols a node (again): a new broker password, in the config given back. */
  enroll(
    node: string,
    options: { brokerUrl?: string | undefined; spoolBase?: string | undefined },
  ): Promise<AgentEnrollment>;
}

/**
 * `GET /api/agents`, page after page, in the server's order (node names as people count), and
 * `POST /api/agents/NODE/enroll` (superusers; the broker password is in its reply only).
 */
export function remoteAgents(client: ApiClient): AgentsSource {
  return {
    async list() {
      const page = await readPages({ limit: MAX_PAGES * MAX_PAGE_SIZE, offset: 0 }, (window) =>
        client.get<AgentPage>('/api/agents', window),
      );
      return page.items;
    },
    enroll: (node, { brokerUrl, spoolBase }) =>
      client.post<AgentEnrollment>(`/api/agents/${encodeURIComponent(node)}/enroll`, {
        ...(brokerUrl === undefined ? {} : { brokerUrl }),
        ...(spoolBase === undefined ? {} : { spoolBase }),
      }),
  };
}
