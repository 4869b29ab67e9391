import type { MinkeKysely } from '../store/minke-kysely.js';
import type { DatabaseHandle } from '../store/transaction.js';
import type { AuthenticatedUser } from './authenticated-user.js';
import { newSecret, sha256Hex } from './secret-token.js';

export interface LoginSessionPolicy {
  /** A session unused this long expires (sliding: each use pushes it further). */
  idleMs: number;
  /** No session lives longer than this from its login, however busy. */
  maxAgeMs: number;
  /** Renewal writes at most this often per session, so reads stay reads. */
  renewEveryMs: number;
}

export const DEFAULT_LOGIN_SESSION_POLICY: LoginSessionPolicy = {
  idleMs: 12 * 3600_000,
  maxAgeMs: 7 * 24 * 3600_000,
  renewEveryMs: 60_000,
};

/** A session just created: `token` goes into the cookie and is never stored. */
export interface NewLoginSession {
  token: string;
  csrfToken: string;
  expiresAt: Date;
}

export interface ResolvedLoginSession {
  /** The stored id (the token's SHA-256). */
  id: string;
  csrfToken: string;
  user: AuthenticatedUser;
  expiresAt: Date;
}

/**
 * Browser logins. The cookie holds a random token; the table holds its SHA-256 as the id, the
 * user, a CSRF token and the expiry. Using a session slides its expiry forward (idle timeout),
 * never beyond `maxAgeMs` after the login.
 *
 * @example
 *   const sessions = new LoginSessionStore(project.database);
 *   const { token, csrfToken } = await sessions.create(user.id);
 *   const session = await sessions.resolve(token); // undefined once expired or logged out
 */
export class LoginSessionStore {
  constructor(
    private readonly database: DatabaseHandle,
    private readonly policy: LoginSessionPolicy = DEFAULT_LOGIN_SESSION_POLICY,
  ) {}

  private get db(): MinkeKysely {
    return this.database.tables;
  }

  async create(userId: number, now = new Date()): Promise<NewLoginSession> {
    const token = newSecret();
    const csrfToken = newSecret();
    const expiresAt = new Date(now.getTime() + Math.min(this.policy.idleMs, this.policy.maxAgeMs));
    await this.db
      .insertInto('minke_login_sessions')
      .values({
        id: sha256Hex(token),
        user_id: userId,
        csrf_token: csrfToken,
        created_at: now,
        expires_at: expiresAt,
        last_seen: now,
      })
      .execute();
    return { token, csrfToken, expiresAt };
  }

  /** The session and its (active) user, renewed; undefined when unknown, expired or inactive. */
  async resolve(token: string, now = new Date()): Promise<ResolvedLoginSession | undefined> {
    const id = sha256Hex(token);
    const row = await this.db
      .selectFrom('minke_login_sessions as s')
      .innerJoin('minke_users as u', 'u.id', 's.user_id')
      .select([
        's.csrf_token',
        's.created_at',
        's.expires_at',
        's.last_seen',
        'u.id as user_id',
        'u.username',
        'u.is_superuser',
        'u.is_active',
      ])
      .where('s.id', '=', id)
      .executeTakeFirst();
    if (!row) return undefined;
    const time = (value: string) => new Date(value).getTime();
    if (time(row.expires_at) <= now.getTime()) {
      await this.db.deleteFrom('minke_login_sessions').where('id', '=', id).execute();
      return undefined;
    }
    if (!row.is_active) return undefined;
    let expiresAt = new Date(time(row.expires_at));
    if (now.getTime() - time(row.last_seen) >= this.policy.renewEveryMs) {
      const slid = Math.min(
        now.getTime() + this.policy.idleMs,
        time(row.created_at) + this.policy.maxAgeMs,
      );
      expiresAt = new Date(slid);
      await this.db
        .updateTable('minke_login_sessions')
        .set({ last_seen: now, expires_at: expiresAt })
        .where('id', '=', id)
        .execute();
    }
    return {
      id,
      csrfToken: row.csrf_token,
      expiresAt,
      user: {
        id: row.user_id,
        username: row.username,
        isSuperuser: row.is_superuser,
      },
    };
  }

  /** Logs out: the session is gone, whoever holds the cookie. */
  async delete(token: string): Promise<void> {
    await this.db.deleteFrom('minke_login_sessions').where('id', '=', sha256Hex(token)).execute();
  }

  /** Logs a user out everywhere (after a password change, or when the account is disabled). */
  async deleteForUser(userId: number): Promise<number> {
    const result = await this.db
      .deleteFrom('minke_login_sessions')
      .where('user_id', '=', userId)
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  /** Deletes expired sessions; returns how many. */
  async purgeExpired(now = new Date()): Promise<number> {
    const result = await this.db
      .deleteFrom('minke_login_sessions')
      .where('expires_at', '<=', now.toISOString())
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
