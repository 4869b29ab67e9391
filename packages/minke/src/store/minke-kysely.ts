import type { Kysely } from 'kysely';
import type { StoreAdapter } from './adapter.js';
import { minkeColumnsPlugin } from './minke-columns-plugin.js';
import type { MinkeTables } from './minke-tables.js';

/**
 * Kysely over tables known only at run time (user models are defined by projects), so queries are
 * untyped at this level and typed by the repositories that wrap them.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type DynamicKysely = Kysely<any>;

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
