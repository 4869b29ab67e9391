import { sql, type Kysely } from 'kysely';
import type { StoreAdapter } from '../adapter.js';
import type { Migration } from './migration.js';

/**
 * Saved jobs and their schedules. A job keeps its selection as a query (evaluated at each
 * launch), its form data without secrets (`secrets` maps a secret field to a credential name or
 * "ask"), a batch policy and notification rules, and at most one cron schedule in the `schedule_*`
 * columns. `last_tick_at` is the newest tick fired: a tick is claimed by moving it forward with a
 * conditional update, so that two servers firing the same tick launch it once.
 * `minke_job_ticks` notes what each tick did (launched a run, skipped, missed, failed).
 * Runs get the job they were launched from (`job_id`). (The permissions to see and to change
 * jobs, view_jobs and manage_jobs, are Minke's own: created with the project's permissions.)
 */
export function jobsAndSchedules(adapter: StoreAdapter): Migration {
  const { types } = adapter;
  const now = sql`CURRENT_TIMESTAMP`;
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('minke_jobs')
        .addColumn('id', adapter.idType, (c) => c.primaryKey())
        .addColumn('name', types.text, (c) => c.notNull().unique())
        .addColumn('description', types.text, (c) => c.notNull().defaultTo(''))
        .addColumn('session', types.text, (c) => c.notNull())
        .addColumn('model', types.text, (c) => c.notNull())
        .addColumn('selection', types.json, (c) => c.notNull())
        .addColumn('data', types.json, (c) => c.notNull())
        .addColumn('secrets', types.json, (c) => c.notNull())
        .addColumn('batch', types.json)
        .addColumn('notify', types.json, (c) => c.notNull())
        .addColumn('owner_id', types.int, (c) =>
          c.references('minke_users.id').onDelete('set null'),
        )
        .addColumn('schedule_cron', types.text)
        .addColumn('schedule_timezone', types.text)
        .addColumn('schedule_end_at', types.datetime)
        .addColumn('schedule_enabled', types.bool, (c) =>
          c.notNull().defaultTo(adapter.encodeBool(false)),
        )
        .addColumn('schedule_missed', types.text, (c) => c.notNull().defaultTo('skip'))
        .addColumn('schedule_overlap', types.text, (c) => c.notNull().defaultTo('skip'))
        .addColumn('schedule_since', types.datetime)
        .addColumn('last_tick_at', types.datetime)
        .addColumn('created_at', types.datetime, (c) => c.notNull().defaultTo(now))
        .addColumn('created_by', types.text)
        .addColumn('updated_at', types.datetime, (c) => c.notNull().defaultTo(now))
        .addColumn('updated_by', types.text)
        .execute();
      await db.schema
        .createTable('minke_job_ticks')
        .addColumn('id', adapter.idType, (c) => c.primaryKey())
        .addColumn('job_id', types.int, (c) =>
          c.notNull().references('minke_jobs.id').onDelete('cascade'),
        )
        .addColumn('tick_at', types.datetime, (c) => c.notNull())
        .addColumn('outcome', types.text, (c) => c.notNull())
        .addColumn('run_id', types.int)
        .addColumn('note', types.text, (c) => c.notNull())
        .addColumn('created_at', types.datetime, (c) => c.notNull().defaultTo(now))
        .execute();
      await db.schema
        .createIndex('minke_job_ticks_job')
        .on('minke_job_ticks')
        .columns(['job_id', 'tick_at'])
        .execute();
      await db.schema.alterTable('minke_runs').addColumn('job_id', types.int).execute();
      await db.schema
        .createIndex('minke_runs_job')
        .on('minke_runs')
        .columns(['job_id', 'id'])
        .execute();
    },
  };
}
