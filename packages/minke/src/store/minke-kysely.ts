import type { Kysely } from 'kysely';
import type { StoreAdapter } from './adapter.js';
import type { DynamicKysely } from './database.js';
import { minkeColumnsPlugin } from './minke-columns-plugin.js';
import type { MinkeTables } from './minke-tables.js';

/**
 * Kysely over Minke's own tables, typed, with values in their JavaScript shape. A transaction of
 * it (`tables.transaction().execute(trx => …)`) is one too, so stores take this type for both.
 */
export type MinkeKysely = Kysely<MinkeTables>;

/** The typed view of an open connection: the same pool or file, with the column plugin. */
export function minkeTablesOf(db: DynamicKysely, adapter: StoreAdapter): MinkeKysely {
  // The untyped view is Kysely<any>: the same connection, seen through MinkeTables.
  return db.withPlugin(minkeColumnsPlugin(adapter)) as MinkeKysely;
}
