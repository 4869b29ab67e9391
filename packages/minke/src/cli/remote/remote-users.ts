import type { UserDetail } from '@minke/contract';
import { NotFoundError } from '../../errors.js';
import type { ApiClient } from './api-client.js';

/**
 * Accounts as `minke users` manages them: the project's, or with `--server` a server's through
 * its API (superusers only, as in the web admin).
 */
export interface UsersSource {
  create(input: { username: string; password: string; superuser: boolean }): Promise<UserDetail>;
  list(): Promise<UserDetail[]>;
  remove(username: string): Promise<void>;
  /** Adds (`grant`) or takes away (`revoke`) permissions granted to the user directly. */
  change(username: string, verb: 'grant' | 'revoke', codenames: readonly string[]): Promise<void>;
}

/** `/api/users[/ID]`; a user is found by name among those the list gives. */
export function remoteUsers(client: ApiClient): UsersSource {
  const byName = async (username: string): Promise<UserDetail> => {
    const matches = await client.get<UserDetail[]>('/api/users', { q: username });
    const user = matches.find((candidate) => candidate.username === username);
    if (!user) throw new NotFoundError(`user ${username} does not exist`);
    return user;
  };
  return {
    create: ({ username, password, superuser }) =>
      // The password travels in the request's body only.
      client.post<UserDetail>('/api/users', { username, password, isSuperuser: superuser }),
    list: () => client.get<UserDetail[]>('/api/users'),
    remove: async (username) => client.delete(`/api/users/${(await byName(username)).id}`),
    async change(username, verb, codenames) {
      const user = await byName(username);
      const direct = new Set(user.permissions);
      for (const codename of codenames) {
        if (verb === 'grant') direct.add(codename);
        else direct.delete(codename);
      }
      await client.patch<UserDetail>(`/api/users/${user.id}`, { permissions: [...direct] });
    },
  };
}
