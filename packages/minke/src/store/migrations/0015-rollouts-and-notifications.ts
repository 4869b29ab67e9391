import { sql, type Kysely } from 'kysely';
import type { StoreAdapter } from '../adapter.js';
import type { Migration } from './migration.js';

/**
 * Rolling runs and notifications.
 *
 * `minke_rollouts` holds a rolling run's state (policy, the batch opened last, pausing until,
 * budget spent) and `minke_rollout_records` each session record's batch: the state lives in the
 * database, so any server can open the next batch when the one that started the run is gone,
 * and the requeuer leaves records of batches not yet opened alone.
 *
 * `minke_notification_deliveries` is the delivery log and the retry queue of notifications: one
 * row per message and channel, with its attempts and last error; `minke_notification_outcomes`
 * keeps the last outcome per job (or session and model), which "recovered" compares with.
 */
export function rolloutsAndNotifications(adapter: StoreAdapter): Migration {
  const { types } = adapter;
  const now = sql`CURRENT_TIMESTAMP`;
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('minke_rollouts')
        .addColumn('run_id', types.int, (c) =>
          c.primaryKey().references('minke_runs.id').onDelete('cascade'),
        )
        .addColumn('policy', types.json, (c) => c.notNull())
        .addColumn('total', types.int, (c) => c.notNull())
        .addColumn('batch_size', types.int, (c) => c.notNull())
        .addColumn('batch_count', types.int, (c) => c.notNull())
        .addColumn('allowed_failures', types.int)
        .addColumn('current_batch', types.int, (c) => c.notNull())
        .addColumn('state', types.text, (c) => c.notNull())
        .addColumn('reason', types.text)
        .addColumn('next_batch_at', types.datetime)
        .addColumn('updated_at', types.datetime, (c) => c.notNull().defaultTo(now))
        .execute();
      await db.schema
        .createIndex('minke_rollouts_state')
        .on('minke_rollouts')
        .column('state')
        .execute();
      await db.schema
        .createTable('minke_rollout_records')
        .addColumn('record_id', types.int, (c) =>
          c.primaryKey().references('minke_session_records.id').onDelete('cascade'),
        )
        .addColumn('run_id', types.int, (c) => c.notNull())
        .addColumn('batch', types.int, (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('minke_rollout_records_batch')
        .on('minke_rollout_records')
        .columns(['run_id', 'batch'])
        .execute();
      await db.schema
        .createTable('minke_notification_deliveries')
        .addColumn('id', adapter.idType, (c) => c.primaryKey())
        .addColumn('channel', types.text, (c) => c.notNull())
        .addColumn('kind', types.text, (c) => c.notNull())
        .addColumn('event', types.text, (c) => c.notNull())
        .addColumn('run_id', types.int)
        .addColumn('subject', types.text, (c) => c.notNull())
        .addColumn('payload', types.json, (c) => c.notNull())
        .addColumn('state', types.text, (c) => c.notNull())
        .addColumn('attempts', types.int, (c) => c.notNull().defaultTo(0))
        .addColumn('last_error', types.text)
        .addColumn('created_at', types.datetime, (c) => c.notNull().defaultTo(now))
        .addColumn('next_attempt_at', types.datetime)
        .addColumn('delivered_at', types.datetime)
        .addColumn('claimed_by', types.text)
        .addColumn('claimed_until', types.datetime)
        // One delivery per (event, run, channel) however many servers hear the event.
        .addColumn('dedupe_key', types.text, (c) => c.unique())
        .execute();
      await db.schema
        .createIndex('minke_notification_deliveries_due')
        .on('minke_notification_deliveries')
        .columns(['state', 'next_attempt_at'])
        .execute();
      await db.schema
        .createTable('minke_notification_outcomes')
        .addColumn('subject_key', types.text, (c) => c.primaryKey())
        .addColumn('failed', types.bool, (c) => c.notNull())
        .addColumn('run_id', types.int, (c) => c.notNull())
        .addColumn('updated_at', types.datetime, (c) => c.notNull().defaultTo(now))
        .execute();
    },
  };
}
