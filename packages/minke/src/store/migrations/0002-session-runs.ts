import { sql, type Kysely } from 'kysely';
import type { StoreAdapter } from '../adapter.js';
import type { Migration } from './migration.js';

/**
 * Runs, the session records of each run (one per object), their commands and messages, and host
 * leases. Object and host names are copied into the record, so history stays readable after the
 * object or host is gone.
 */
export function sessionRuns(adapter: StoreAdapter): Migration {
  const { types } = adapter;
  const now = sql`CURRENT_TIMESTAMP`;
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('minke_runs')
        .addColumn('id', adapter.idType, (c) => c.primaryKey())
        .addColumn('session', types.text, (c) => c.notNull())
        .addColumn('model', types.text, (c) => c.notNull())
        .addColumn('user_id', types.int, (c) => c.references('minke_users.id').onDelete('set null'))
        .addColumn('data', types.json, (c) => c.notNull().defaultTo('{}'))
        .addColumn('state', types.text, (c) => c.notNull().defaultTo('running'))
        .addColumn('created_at', types.datetime, (c) => c.notNull().defaultTo(now))
        .addColumn('finished_at', types.datetime)
        .execute();
      await db.schema
        .createTable('minke_session_records')
        .addColumn('id', adapter.idType, (c) => c.primaryKey())
        .addColumn('run_id', types.int, (c) =>
          c.notNull().references('minke_runs.id').onDelete('cascade'),
        )
        .addColumn('session', types.text, (c) => c.notNull())
        .addColumn('verbose_name', types.text, (c) => c.notNull())
        .addColumn('model', types.text, (c) => c.notNull())
        .addColumn('object_id', types.int, (c) => c.notNull())
        .addColumn('object_label', types.text, (c) => c.notNull())
        .addColumn('host_id', types.int)
        .addColumn('host_name', types.text)
        .addColumn('user_id', types.int, (c) => c.references('minke_users.id').onDelete('set null'))
        .addColumn('process_state', types.text, (c) => c.notNull().defaultTo('initialized'))
        .addColumn('result', types.text)
        .addColumn('data', types.json, (c) => c.notNull().defaultTo('{}'))
        .addColumn('created_at', types.datetime, (c) => c.notNull().defaultTo(now))
        .addColumn('started_at', types.datetime)
        .addColumn('finished_at', types.datetime)
        .addColumn('duration_ms', types.int)
        .addColumn('stop_requests', types.int, (c) => c.notNull().defaultTo(0))
        .execute();
      for (const column of ['run_id', 'object_id', 'host_id', 'created_at', 'process_state']) {
        await db.schema
          .createIndex(`minke_session_records_${column}`)
          .on('minke_session_records')
          .column(column)
          .execute();
      }
      await db.schema
        .createTable('minke_commands')
        .addColumn('id', adapter.idType, (c) => c.primaryKey())
        .addColumn('session_record_id', types.int, (c) =>
          c.notNull().references('minke_session_records.id').onDelete('cascade'),
        )
        .addColumn('command', types.text, (c) => c.notNull())
        .addColumn('exit_code', types.int)
        .addColumn('signal', types.text)
        .addColumn('stdout', types.text, (c) => c.notNull())
        .addColumn('stderr', types.text, (c) => c.notNull())
        .addColumn('pty', types.bool, (c) => c.notNull())
        .addColumn('killed', types.bool, (c) => c.notNull())
        .addColumn('timed_out', types.bool, (c) => c.notNull())
        .addColumn('status', types.text, (c) => c.notNull())
        .addColumn('started_at', types.datetime, (c) => c.notNull())
        .addColumn('finished_at', types.datetime, (c) => c.notNull())
        .addColumn('duration_ms', types.int, (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('minke_commands_session_record')
        .on('minke_commands')
        .column('session_record_id')
        .execute();
      await db.schema
        .createTable('minke_messages')
        .addColumn('id', adapter.idType, (c) => c.primaryKey())
        .addColumn('session_record_id', types.int, (c) =>
          c.notNull().references('minke_session_records.id').onDelete('cascade'),
        )
        .addColumn('level', types.text, (c) => c.notNull())
        .addColumn('kind', types.text, (c) => c.notNull())
        .addColumn('text', types.text, (c) => c.notNull())
        .addColumn('data', types.json)
        .addColumn('created_at', types.datetime, (c) => c.notNull().defaultTo(now))
        .execute();
      await db.schema
        .createIndex('minke_messages_session_record')
        .on('minke_messages')
        .column('session_record_id')
        .execute();
      // One lease per host: who runs sessions on it, until when (renewed while work runs).
      await db.schema
        .createTable('minke_host_leases')
        .addColumn('host_id', types.int, (c) =>
          c.primaryKey().references('minke_hosts.id').onDelete('cascade'),
        )
        .addColumn('owner', types.text, (c) => c.notNull())
        .addColumn('run_id', types.int)
        .addColumn('expires_at', types.datetime, (c) => c.notNull())
        .execute();
    },
  };
}
