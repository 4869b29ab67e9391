import type { RunUser } from './run-user.js';
import type { Database } from '../store/database.js';
import { ApiTokenStore } from './api-token-store.js';
import type { AuthenticatedUser } from './authenticated-user.js';
import { LoginSessionStore, type LoginSessionPolicy } from './login-session-store.js';

/** Who makes a request and what they may do; the same for cookie and token requests. */
export interface Principal {
  user: AuthenticatedUser;
  /** Their permissions (own and through groups), as every operation checks them. */
  access: RunUser;
  via: 'session' | 'token';
  /** The login session, for cookie requests (its CSRF token is checked on writes). */
  session?: { id: string; csrfToken: string };
  tokenId?: number;
}

/**
 * Turns a session cookie or a bearer token into a principal: the user, with the permissions
 * `PermissionOperations.runUser` resolves (the same that `startRun` and the CLI check).
 */
/** What resolving a principal reads: the database (login sessions, tokens) and each user's
 * permissions (`PermissionOperations.runUser`). */
export interface AuthenticatorSources {
  database: Database;
  permissions: { runUser(user: { id: number; isSuperuser: boolean }): Promise<RunUser> };
}

export class Authenticator {
  readonly sessions: LoginSessionStore;
  readonly tokens: ApiTokenStore;

  constructor(
    private readonly project: AuthenticatorSources,
    policy?: LoginSessionPolicy,
  ) {
    this.sessions = new LoginSessionStore(project.database, policy);
    this.tokens = new ApiTokenStore(project.database);
  }

  async fromSessionToken(token: string): Promise<Principal | undefined> {
    const session = await this.sessions.resolve(token);
    if (!session) return undefined;
    return {
      user: session.user,
      access: await this.project.permissions.runUser(session.user),
      via: 'session',
      session: { id: session.id, csrfToken: session.csrfToken },
    };
  }

  async fromBearerToken(token: string): Promise<Principal | undefined> {
    const found = await this.tokens.resolve(token);
    if (!found) return undefined;
    return {
      user: found.user,
      access: await this.project.permissions.runUser(found.user),
      via: 'token',
      tokenId: found.tokenId,
    };
  }
}
