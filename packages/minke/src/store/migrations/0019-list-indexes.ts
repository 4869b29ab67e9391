import type { Kysely } from 'kysely';
import type { StoreAdapter } from '../adapter.js';
import { naturalKeyIndex } from '../natural-key.js';
import type { Migration } from './migration.js';

/**
 * Indexes for lists at size (10,000 hosts, 100,000 session records): hosts in their natural name
 * order (a page read off the index instead of a key computed for every host), and a user's
 * session records newest first (the history list of a user who is not a superuser, and its
 * count), and a host's by name (the history's host filter; with the user, so that a user's records on one
 * host are found through it and not by walking all of the user's).
 */
export function listIndexes(adapter: StoreAdapter): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await naturalKeyIndex(
        adapter.kind,
        'minke_hosts_name_natural',
        'minke_hosts',
        'name',
      ).execute(db);
      await db.schema
        .createIndex('minke_session_records_user_created')
        .on('minke_session_records')
        .columns(['user_id', 'created_at', 'id'])
        .execute();
      await db.schema
        .createIndex('minke_session_records_host_name')
        .on('minke_session_records')
        .columns(['host_name', 'user_id', 'created_at'])
        .execute();
    },
  };
}
