import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { postgresBackend, sqliteBackend } from '../../../../test-support/databases.js';
import { randomHostKey as randomKey } from '../../../../test-support/host-key-blobs.js';
import { HostKeyStore } from '../../../hosts/host-key-store.js';
import type { OpenedProject } from '../../../runtime/open-project.js';
import { verifyWithBook, type BookCheck } from './verify-with-book.js';

const check: BookCheck = {
  host: 'web-1',
  address: '[127.0.0.1]:2222',
  strictHostKeyChecking: 'accept-new',
  namedFiles: [],
};

/**
 * The fleet's book in the database, as every connection checks it: "last seen" is written when
 * it is old, not on every connection (a run of 1,000 hosts would write 1,000 rows for it).
 */
describe.each([
  { name: 'sqlite', make: () => sqliteBackend() },
  { name: 'postgres', make: () => postgresBackend() },
])('host keys checked against the book on $name', ({ make }) => {
  /** A fresh project's host key store, closed and removed after `work`. */
  async function withKeys(work: (keys: HostKeyStore, project: OpenedProject) => Promise<void>) {
    const backend = make();
    const project = await backend.open([]);
    try {
      await work(new HostKeyStore(project.database), project);
    } finally {
      await project.close();
      await backend.cleanup();
    }
  }

  it('refreshes "last seen" only once it is old', () =>
    withKeys(async (keys, project) => {
      const book = keys.book();
      const key = randomKey();
      const lastSeen = async () => (await keys.list('web-1'))[0]?.lastSeenAt ?? '';

      await verifyWithBook(book, check, key); // accept-new: trusted on first sight
      expect(await keys.list('web-1')).toMatchObject([
        { status: 'trusted', trustedBy: 'accept-new' },
      ]);
      const first = await lastSeen();

      await sql`update minke_host_keys set last_seen_at = ${new Date(Date.now() - 60_000)}`.execute(
        project.database.tables,
      );
      const recent = await lastSeen();
      expect(recent).not.toBe(first);
      await verifyWithBook(book, check, key);
      expect(await lastSeen()).toBe(recent);

      await sql`update minke_host_keys set last_seen_at = ${new Date('2020-01-02T03:04:05Z')}`.execute(
        project.database.tables,
      );
      await verifyWithBook(book, check, key);
      expect(Date.parse(await lastSeen())).toBeGreaterThan(Date.now() - 60_000);
    }));

  it('takes the trusted keys the caller read, and still refuses a changed key', () =>
    withKeys(async (keys) => {
      const book = keys.book();
      const key = randomKey();
      await verifyWithBook(book, check, key);
      const trusted = await book.trusted('web-1');

      await expect(verifyWithBook(book, { ...check, trusted }, randomKey())).rejects.toThrow(
        /host key changed: trusted ssh-ed25519 SHA256:/,
      );
      expect((await keys.list('web-1')).map((k) => k.status).sort()).toEqual([
        'pending',
        'trusted',
      ]);
      await expect(verifyWithBook(book, { ...check, trusted }, key)).resolves.toBeUndefined();
    }));
});
