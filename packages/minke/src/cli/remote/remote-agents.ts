import {
  MAX_PAGE_SIZE,
  type AgentEnrollment,
  type AgentItem,
  type AgentPage,
} from '@minke/contract';
import { readPages } from '../read-pages.js';
import type { ApiClient } from './api-client.js';

/** Agents listed at most: 100,000, the most one installation is planned for. */
export const MAX_AGENTS = 100 * MAX_PAGE_SIZE;

/** Which agents `minke agents list` shows: by presence, part of a name, a window of them. */
export interface AgentListing {
  online?: boolean | undefined;
  search?: string | undefined;
  /** How many (every match when absent), from `offset`. */
  limit?: number | undefined;
  offset?: number | undefined;
}

/** Agents as `minke agents list|enroll` use them: the project's or a server's. */
export interface AgentsSource {
  /** The agents that match, in node order as people count, as `minke agents list` shows them. */
  list(listing?: AgentListing): Promise<readonly AgentItem[]>;
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
    async list(listing = {}) {
      const window = { limit: listing.limit ?? MAX_AGENTS, offset: listing.offset ?? 0 };
      const online = listing.online === undefined ? undefined : String(listing.online);
      const filters = { online, search: listing.search };
      const page = await readPages(window, (part) =>
        client.get<AgentPage>('/api/agents', { ...filters, ...part }),
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
