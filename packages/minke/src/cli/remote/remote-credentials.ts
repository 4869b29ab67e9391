import type { CredentialInfo } from '@minke/contract';
import type { CredentialSecret } from '../../credentials/credential-secret.js';
import type { ApiClient } from './api-client.js';

/**
 * The credentials store as `minke credentials` uses it; the same calls on the local project or,
 * with `--server`, on a server's write-only API (as the token's user: a superuser or
 * manage_credentials). No call returns a secret.
 */
export interface CredentialsSource {
  list(): Promise<CredentialInfo[]>;
  create(name: string, secret: CredentialSecret): Promise<CredentialInfo>;
  replace(name: string, secret: CredentialSecret): Promise<CredentialInfo>;
  /** What was deleted, as listed just before. */
  delete(name: string): Promise<CredentialSummary>;
}

/** A credential as a one-line message names it. */
export type CredentialSummary = Pick<CredentialInfo, 'name' | 'fingerprint'> & { type: string };

/**
 * `GET/POST /api/credentials`, `PUT/DELETE /api/credentials/:name`. The secret goes in the body of
 * the request that stores it (never in a URL) and is never asked back; the server records who did
 * it from the token.
 */
export function remoteCredentials(client: ApiClient): CredentialsSource {
  const one = (name: string) => `/api/credentials/${encodeURIComponent(name)}`;
  return {
    list: () => client.get<CredentialInfo[]>('/api/credentials'),
    create: (name, secret) =>
      client.post<CredentialInfo>('/api/credentials', { name, ...secretBody(secret) }),
    replace: (name, secret) => client.put<CredentialInfo>(one(name), secretBody(secret)),
    async delete(name) {
      // The API answers 204: what was deleted is told from the listing just before (an unknown
      // name is the DELETE's 404, with the server's message).
      const listed = (await client.get<CredentialInfo[]>('/api/credentials')).find(
        (c) => c.name === name,
      );
      await client.delete(one(name));
      return listed ?? { name, type: 'credential', fingerprint: null };
    },
  };
}

/** The API's body for a secret: its type and its fields, passphrase only when there is one. */
function secretBody(secret: CredentialSecret): Record<string, string> {
  if (secret.type === 'password') return { type: 'password', password: secret.password };
  return {
    type: 'ssh-key',
    privateKey: secret.privateKey,
    ...(secret.passphrase === undefined ? {} : { passphrase: secret.passphrase }),
  };
}
