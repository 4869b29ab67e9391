import type {
  PolicyCheckReply,
  PolicyHistoryPage,
  PolicyHostPage,
  PolicyHostsQuery,
  PolicyInput,
  PolicyList,
  PolicySummary,
} from '@minke/contract';
import type { ApiClient } from './api-client.js';

/**
 * Fact policies as `minke policies` uses them: the local project's (its files' policies synced
 * first) or, with `--server`, a server's through its API as the token's user (reading needs
 * `view_host`; `set` and `delete` are for superusers).
 */
export interface PoliciesSource {
  list(): Promise<PolicyList>;
  /** One policy with its counts; an unknown name is a not-found error naming the policies. */
  show(name: string): Promise<PolicySummary>;
  hosts(name: string, query: PolicyHostsQuery): Promise<PolicyHostPage>;
  history(name: string, query: { limit: number; offset: number }): Promise<PolicyHistoryPage>;
  check(query: {
    policy?: string | undefined;
    hosts?: readonly string[] | undefined;
  }): Promise<PolicyCheckReply>;
  /** Creates or replaces a policy made outside the project's files; returns it with its counts. */
  save(policy: PolicyInput): Promise<PolicySummary>;
  delete(name: string): Promise<void>;
}

/** `/api/policies[/:name[/hosts|/history]]` and `POST /api/policies/check`. */
export function remotePolicies(client: ApiClient): PoliciesSource {
  const path = (name: string) => `/api/policies/${encodeURIComponent(name)}`;
  return {
    list: () => client.get<PolicyList>('/api/policies'),
    async show(name) {
      // No route reads one policy: its hosts' route answers the server's 404 for an unknown one.
      await client.get<PolicyHostPage>(`${path(name)}/hosts`, { limit: 1 });
      const policy = (await client.get<PolicyList>('/api/policies')).items.find(
        (p) => p.name === name,
      );
      if (!policy) throw new Error(`policy ${name} is gone from ${client.url}`);
      return policy;
    },
    hosts: (name, query) => client.get<PolicyHostPage>(`${path(name)}/hosts`, query),
    history: (name, query) => client.get<PolicyHistoryPage>(`${path(name)}/history`, query),
    // The server evaluates and, like the web admin's check, notifies of hosts that started failing.
    check: (query) => client.post<PolicyCheckReply>('/api/policies/check', query),
    save: ({ name, ...body }) => client.put<PolicySummary>(path(name), body),
    delete: (name) => client.delete(path(name)),
  };
}
