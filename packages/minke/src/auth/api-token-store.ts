import type { Selectable } from 'kysely';
import { auditedTransaction } from '../audit/audit-log.js';
import { recordChange } from '../audit/record-change.js';
import { InputError, NotFoundError } from '../errors.js';
import type { MinkeKysely } from '../store/minke-kysely.js';
import type { ApiTokensTable } from '../store/minke-tables.js';
import type { DatabaseHandle } from '../store/transaction.js';
import { camelRow } from '../util/camel-row.js';
import type { AuthenticatedUser } from './authenticated-user.js';
import { newSecret, sha256Hex } from './secret-token.js';

/** API tokens start with this, so that they are easy to recognise (and to scan for in leaks). */
export const API_TOKEN_PREFIX = 'mkt_';

export interface ApiTokenRecord {
  id: number;
  userId: number;
  username: string;
  name: string;
  createdAt: string;
  lastUsed: string | null;
  revoked: boolean;
}

/** A token just created: the only time `token` is known to anyone but its holder. */
export interface NewApiToken extends ApiTokenRecord {
  token: string;
}

/** How often `last_used` is written for one token, at most. */
const TOUCH_EVERY_MS = 60_000;

/**
 * Tokens for scripts and the CLI (`Authorization: Bearer TOKEN`). Only the SHA-256 of a token is
 * stored; revoking keeps the row (for the record) and stops the token at once.
 *
 * @example
 *   const tokens = new ApiTokenStore(project.database);
 *   const { token } = await tokens.create({ userId: user.id, name: 'ci' }); // print it once
 *   await tokens.revoke(id);
 */
export class ApiTokenStore {
  constructor(private readonly database: DatabaseHandle) {}

  private get db(): MinkeKysely {
    return this.database.tables;
  }

  async create(input: { userId: number; name?: string | undefined }): Promise<NewApiToken> {
    const name = (input.name ?? 'token').trim();
    if (name === '' || name.length > 100) {
      throw new InputError('a token name has 1 to 100 characters', {
        fields: { name: '1 to 100 characters' },
      });
    }
    const token = newSecret(API_TOKEN_PREFIX);
    const created = await auditedTransaction(this.database, async (trx, audit) => {
      const tokens = new ApiTokenStore(trx);
      const row = await trx.tables
        .insertInto('minke_api_tokens')
        .values({ user_id: input.userId, name, token_hash: sha256Hex(token) })
        .returning('id')
        .executeTakeFirstOrThrow();
      const record = await tokens.get(row.id);
      await audit(tokenChange('token.create', undefined, record));
      return record;
    });
    return { ...created, token };
  }

  async get(id: number): Promise<ApiTokenRecord> {
    const row = await this.selectTokens().where('t.id', '=', id).executeTakeFirst();
    if (!row) throw new NotFoundError(`token ${id} does not exist`);
    return this.toRecord(row);
  }

  /** Tokens, newest first; of one user when `userId` is given. */
  async list(query: { userId?: number | undefined } = {}): Promise<ApiTokenRecord[]> {
    let builder = this.selectTokens();
    if (query.userId !== undefined) builder = builder.where('t.user_id', '=', query.userId);
    const rows = await builder.orderBy('t.id', 'desc').execute();
    return rows.map((row) => this.toRecord(row));
  }

  async revoke(id: number): Promise<ApiTokenRecord> {
    const before = await this.get(id);
    return auditedTransaction(this.database, async (trx, audit) => {
      await trx.tables
        .updateTable('minke_api_tokens')
        .set({ revoked: true })
        .where('id', '=', id)
        .execute();
      const after = await new ApiTokenStore(trx).get(id);
      await audit(tokenChange('token.revoke', before, after));
      return after;
    });
  }

  /** The token's (active) user; undefined for an unknown or revoked token. */
  async resolve(
    token: string,
    now = new Date(),
  ): Promise<{ tokenId: number; user: AuthenticatedUser } | undefined> {
    if (!token.startsWith(API_TOKEN_PREFIX)) return undefined;
    const row = await this.selectTokens()
      .select(['u.is_superuser', 'u.is_active'])
      .where('t.token_hash', '=', sha256Hex(token))
      .executeTakeFirst();
    if (!row || row.revoked || !row.is_active) return undefined;
    const lastUsed = row.last_used === null ? 0 : new Date(row.last_used).getTime();
    if (now.getTime() - lastUsed >= TOUCH_EVERY_MS) {
      await this.db
        .updateTable('minke_api_tokens')
        .set({ last_used: now })
        .where('id', '=', row.id)
        .execute();
    }
    return {
      tokenId: row.id,
      user: { id: row.user_id, username: row.username, isSuperuser: row.is_superuser },
    };
  }

  private selectTokens() {
    return this.db
      .selectFrom('minke_api_tokens as t')
      .innerJoin('minke_users as u', 'u.id', 't.user_id')
      .select([
        't.id',
        't.user_id',
        'u.username',
        't.name',
        't.created_at',
        't.last_used',
        't.revoked',
      ]);
  }

  private toRecord(row: TokenRow): ApiTokenRecord {
    return camelRow(row);
  }
}

type TokenRow = Pick<
  Selectable<ApiTokensTable>,
  'id' | 'user_id' | 'name' | 'created_at' | 'last_used' | 'revoked'
> & { username: string };

/** A token change for the audit log: its record (owner, name), never the token. */
const tokenChange = recordChange<ApiTokenRecord>('token', (token) => token.name);
