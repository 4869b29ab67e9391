import type { Kysely } from 'kysely';
import type { StoreAdapter } from '../adapter.js';
import type { Migration } from './migration.js';

/**
 * Whether a run had values that are stored nowhere: secret form values and a run-time connection
 * layer live in memory and, on the BullMQ executor, sealed inside its queued jobs. A batch the
 * requeuer queues again from the database (the queue lost its job) cannot have them; with this
 * flag the worker ends that batch's sessions with the reason instead of running them without.
 */
export function runSecretValues(adapter: StoreAdapter): Migration {
  const { types } = adapter;
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .alterTable('minke_runs')
        .addColumn('has_secret_values', types.bool, (c) =>
          c.notNull().defaultTo(adapter.encodeBool(false)),
        )
        .execute();
    },
  };
}
