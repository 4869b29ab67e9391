import type { Database } from './database.js';
import { minkeTablesOf } from './minke-kysely.js';

/**
 * What stores read and write through: the untyped view (user models' tables), the typed view of
 * Minke's own tables, and the backend's adapter. An open database is one; so is a transaction.
 */
export type DatabaseHandle = Pick<Database, 'db' | 'tables' | 'adapter'>;

/**
 * Runs `work` in one transaction and hands it a handle whose both views are that transaction.
 * Inside, every query must go through the handle: on SQLite a query on the outer database would
 * wait for the connection the transaction holds. Already in a transaction, `work` joins it.
 */
export async function inTransaction<T>(
  database: DatabaseHandle,
  work: (trx: DatabaseHandle) => Promise<T>,
): Promise<T> {
  if (database.db.isTransaction) return work(database);
  const { adapter } = database;
  return database.db
    .transaction()
    .execute((db) => work({ db, tables: minkeTablesOf(db, adapter), adapter }));
}
