import type { HostGroup, HostImportReport, HostInput, HostRecord } from '@minke/contract';
import type { GroupChanges } from '../../operations/hosts.js';
import type { ApiClient } from './api-client.js';

/** A page of hosts with their groups, as the API and the project's host list give it. */
export interface HostsPage {
  items: HostRecord[];
  total: number;
  limit: number;
  offset: number;
}

/**
 * Hosts and groups as `minke hosts list|show|add|set|remove|import` and `minke groups` use them: the
 * local project's or, with `--server`, a server's through its API as the token's user
 * (`view_host`, `add_host`, `delete_host`, `change_host` for groups; a connection setting that
 * uses the server's own resources also needs `manage_connections`).
 */
export interface HostsSource {
  /** `where` is a filter expression, as `--where` takes it. */
  list(query: {
    where?: string | undefined;
    search?: string | undefined;
    limit: number;
    offset: number;
  }): Promise<HostsPage>;
  get(name: string): Promise<HostRecord>;
  add(host: HostInput): Promise<HostRecord>;
  /** Changes the fields given; `groups` replaces the host's groups. */
  update(name: string, changes: Partial<HostInput>): Promise<HostRecord>;
  remove(name: string): Promise<void>;
  /** Hosts from an OpenSSH config's text: all or none (each is checked before any is added). */
  import(
    text: string,
    options: { dryRun: boolean; groups?: string[] | undefined },
  ): Promise<HostImportReport>;
  groups(): Promise<HostGroup[]>;
  addGroup(group: { name: string; config?: string; comment: string | null }): Promise<HostGroup>;
  group(name: string): Promise<HostGroup>;
  /** Changes what is given: a new name, the config (replaced), the comment, the members. */
  updateGroup(name: string, changes: GroupChanges): Promise<HostGroup>;
  /** Removes the group; its hosts stay, without its connection config. */
  removeGroup(name: string): Promise<void>;
}

/** `/api/hosts[/:name]`. */
export function remoteHosts(client: ApiClient): HostsSource {
  const path = (name: string) => `/api/hosts/${encodeURIComponent(name)}`;
  const groupPath = (name: string) => `/api/groups/${encodeURIComponent(name)}`;
  return {
    async list(query) {
      const page = await client.get<HostsPage>('/api/hosts', query);
      return { ...page, items: page.items.map(groupsLast) };
    },
    get: async (name) => groupsLast(await client.get<HostRecord>(path(name))),
    add: async (host) => groupsLast(await client.post<HostRecord>('/api/hosts', host)),
    update: async (name, changes) =>
      groupsLast(await client.patch<HostRecord>(path(name), changes)),
    remove: (name) => client.delete(path(name)),
    // The config's text travels in the request's body; the server reads no file of the user's.
    import: (text, { dryRun, groups }) =>
      client.post<HostImportReport>('/api/hosts/import', {
        text,
        dryRun,
        ...(groups ? { groups } : {}),
      }),
    groups: () => client.get<HostGroup[]>('/api/groups'),
    addGroup: (group) => client.post<HostGroup>('/api/groups', group),
    group: (name) => client.get<HostGroup>(groupPath(name)),
    updateGroup: (name, changes) => client.patch<HostGroup>(groupPath(name), changes),
    removeGroup: (name) => client.delete(groupPath(name)),
  };
}

/**
 * A host with its groups after its fields, as the project gives it: the API's reply schema names
 * `groups` first, and `--json` prints the same document either way.
 */
function groupsLast(host: HostRecord): HostRecord {
  const { groups, ...fields } = host;
  return { ...fields, groups };
}
