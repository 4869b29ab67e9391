import { listsByKey } from '../util/lists-by-key.js';
import type { Selectable } from 'kysely';
import { auditedTransaction } from '../audit/audit-log.js';
import { InputError } from '../errors.js';
import type { MinkeKysely } from '../store/minke-kysely.js';
import type { HostKeysTable } from '../store/minke-tables.js';
import type { DatabaseHandle } from '../store/transaction.js';
import { camelRow } from '../util/camel-row.js';
import { fingerprintOf, type HostKey } from '../transport/ssh/host-keys/host-key.js';
import type { BookedHostKey, HostKeyBook } from '../transport/ssh/host-keys/host-key-book.js';

/** `pending`: offered, nobody trusted it; `trusted`: the host's key; `replaced`: history. */
export type HostKeyStatus = 'pending' | 'trusted' | 'replaced';

/** One key a host presented, as the API, CLI and web admin show it. */
export interface HostKeyInfo {
  id: number;
  host: string;
  address: string;
  keyType: string;
  fingerprint: string;
  publicKey: string;
  status: HostKeyStatus;
  firstSeenAt: string;
  lastSeenAt: string;
  /** A user's name, `accept-new`, or the known_hosts file it was imported from. */
  trustedBy: string | null;
  trustedAt: string | null;
  replacedAt: string | null;
}

type HostKeyRow = Selectable<HostKeysTable>;

/**
 * The fleet's known host keys in the database, shared by every server and worker. The transport
 * reads and files keys through `book()`; people list them and trust one with `trust()`, which is
 * the only way a pending or changed key becomes a host's key.
 *
 * @example
 *   const keys = new HostKeyStore(project.database);
 *   await keys.trust('web1', 'SHA256:…', 'alice');
 */
export class HostKeyStore {
  constructor(private readonly database: DatabaseHandle) {}

  private get db(): MinkeKysely {
    return this.database.tables;
  }

  /** Every key on file, or one host's, pending first, then trusted, then history, newest first. */
  async list(host?: string): Promise<HostKeyInfo[]> {
    let query = this.db.selectFrom('minke_host_keys').selectAll();
    if (host !== undefined) query = query.where('host', '=', host);
    const rows = await query.orderBy('host').orderBy('id', 'desc').execute();
    const order: Record<string, number> = { pending: 0, trusted: 1, replaced: 2 };
    return rows
      .map((row) => this.info(row))
      .sort((a, b) =>
        a.host === b.host
          ? (order[a.status] ?? 3) - (order[b.status] ?? 3)
          : a.host < b.host
            ? -1
            : 1,
      );
  }

  /**
   * Makes the key with this fingerprint the host's key: it must be one the host offered (pending,
   * or history), so that nobody trusts a key they did not see. The key it replaces is kept as
   * history.
   */
  async trust(host: string, fingerprint: string, by: string): Promise<HostKeyInfo> {
    const keys = await this.list(host);
    const chosen = keys.find((k) => k.fingerprint === fingerprint);
    if (chosen?.status === 'trusted') return chosen;
    if (!chosen) {
      const pending = keys.filter((k) => k.status === 'pending').map((k) => k.fingerprint);
      throw new InputError(
        pending.length === 0
          ? `host ${host} has offered no key to trust: run a session on it first`
          : `host ${host} has not offered ${fingerprint}; pending: ${pending.join(', ')}`,
        { fields: { fingerprint: 'not a key this host offered' } },
      );
    }
    const now = new Date();
    const replaced = keys.find((k) => k.status === 'trusted');
    return auditedTransaction(this.database, async (trx, audit) => {
      await trx.tables
        .updateTable('minke_host_keys')
        .set({ status: 'replaced', replaced_at: now })
        .where('host', '=', host)
        .where('status', '=', 'trusted')
        .execute();
      await trx.tables
        .updateTable('minke_host_keys')
        .set({ status: 'trusted', trusted_by: by, trusted_at: now, replaced_at: null })
        .where('id', '=', chosen.id)
        .execute();
      const stored = await new HostKeyStore(trx).list(host);
      const trusted = stored.find((k) => k.id === chosen.id) ?? chosen;
      await audit({
        action: replaced ? 'hostkey.replace' : 'hostkey.trust',
        targetType: 'host',
        targetName: host,
        before: replaced && { keyType: replaced.keyType, fingerprint: replaced.fingerprint },
        after: { keyType: trusted.keyType, fingerprint: trusted.fingerprint },
      });
      return trusted;
    });
  }

  /** What the SSH transport reads and files keys through (closures only: it never shows in a
   * config's JSON). */
  book(): HostKeyBook {
    return {
      trusted: (host) => this.trustedKeys(host),
      trustedMany: (hosts) => this.trustedKeysOf(hosts),
      seen: async (host, fingerprint) => {
        await this.db
          .updateTable('minke_host_keys')
          .set({ last_seen_at: new Date() })
          .where('host', '=', host)
          .where('fingerprint', '=', fingerprint)
          .execute();
      },
      offer: (host, address, key) => this.file(host, address, key, 'pending', null),
      trustFirst: (host, address, key, by) => this.file(host, address, key, 'trusted', by),
    };
  }

  private async trustedKeys(host: string): Promise<BookedHostKey[]> {
    const rows = await this.db
      .selectFrom('minke_host_keys')
      .select(['key_type', 'fingerprint', 'public_key', 'last_seen_at'])
      .where('host', '=', host)
      .where('status', '=', 'trusted')
      .execute();
    return rows.map((r) => ({
      keyType: r.key_type,
      fingerprint: r.fingerprint,
      publicKey: r.public_key,
      lastSeenAt: r.last_seen_at,
    }));
  }

  /** The trusted keys of many hosts in one statement; hosts with none are left out. */
  private async trustedKeysOf(hosts: readonly string[]): Promise<Map<string, BookedHostKey[]>> {
    if (hosts.length === 0) return new Map();
    const rows = await this.db
      .selectFrom('minke_host_keys')
      .select(['host', 'key_type', 'fingerprint', 'public_key', 'last_seen_at'])
      .where('host', 'in', [...hosts])
      .where('status', '=', 'trusted')
      .execute();
    return listsByKey(
      rows,
      (r) => r.host,
      (r) => ({
        keyType: r.key_type,
        fingerprint: r.fingerprint,
        publicKey: r.public_key,
        lastSeenAt: r.last_seen_at,
      }),
    );
  }

  /** Inserts the key, or refreshes it; a trusted key is never demoted by being offered again. */
  private async file(
    host: string,
    address: string,
    key: HostKey,
    status: 'pending' | 'trusted',
    by: string | null,
  ): Promise<void> {
    const now = new Date();
    const trusted = status === 'trusted' ? { trusted_by: by, trusted_at: now } : {};
    await this.db
      .insertInto('minke_host_keys')
      .values({
        host,
        address,
        key_type: key.type,
        fingerprint: fingerprintOf(key.blob),
        public_key: key.blob.toString('base64'),
        status,
        first_seen_at: now,
        last_seen_at: now,
        ...trusted,
      })
      .onConflict((oc) =>
        oc
          .columns(['host', 'fingerprint'])
          .doUpdateSet({ last_seen_at: now, address, status, ...trusted })
          .where('minke_host_keys.status', '!=', 'trusted'),
      )
      .execute();
  }

  private info(row: HostKeyRow): HostKeyInfo {
    return { ...camelRow(row), status: row.status as HostKeyStatus };
  }
}
