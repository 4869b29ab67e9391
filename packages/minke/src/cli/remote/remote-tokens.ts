import type { ApiToken, NewApiToken } from '@minke/contract';
import { NotFoundError } from '../../errors.js';
import type { ApiClient } from './api-client.js';

/**
 * API tokens as `minke tokens` uses them: the project's, or with `--server` a server's as the
 * token's user (one's own tokens; superusers anyone's).
 */
export interface TokensSource {
  /** `user` undefined: through a server, the token's own user; on the project it is required. */
  create(input: { user?: string | undefined; name: string }): Promise<NewApiToken>;
  list(query: { user?: string | undefined }): Promise<ApiToken[]>;
  revoke(id: number): Promise<ApiToken>;
}

/** `GET`, `POST /api/tokens` and `DELETE /api/tokens/ID`. */
export function remoteTokens(client: ApiClient): TokensSource {
  const list: TokensSource['list'] = ({ user }) => client.get<ApiToken[]>('/api/tokens', { user });
  return {
    create: ({ user, name }) =>
      client.post<NewApiToken>('/api/tokens', { name, ...(user === undefined ? {} : { user }) }),
    list,
    async revoke(id) {
      // The list names it for the message; a token the user may not see is one that does not
      // exist, as the server says.
      const token = (await list({})).find((candidate) => candidate.id === id);
      if (!token) throw new NotFoundError(`token ${id} does not exist`);
      await client.delete(`/api/tokens/${id}`);
      return { ...token, revoked: true };
    },
  };
}
