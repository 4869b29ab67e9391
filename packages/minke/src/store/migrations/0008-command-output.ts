import type { Kysely } from 'kysely';
import type { StoreAdapter } from '../adapter.js';
import type { Migration } from './migration.js';

/**
 * Full command output, kept beside the bounded copy in `minke_commands`: a gzip stream per
 * command and stream, in numbered chunks (`minke_command_output`), so it can be written while
 * the command runs and read back without ever holding it whole. In the database rather than
 * in files: workers on other machines share only the database. `output_cut` on the command
 * says what its stdout/stderr leave out and under which key the full text is.
 */
export function commandOutput(adapter: StoreAdapter): Migration {
  const { types } = adapter;
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('minke_command_output')
        .addColumn('id', adapter.idType, (c) => c.primaryKey())
        .addColumn('session_record_id', types.int, (c) =>
          c.notNull().references('minke_session_records.id').onDelete('cascade'),
        )
        .addColumn('output_key', types.text, (c) => c.notNull())
        .addColumn('seq', types.int, (c) => c.notNull())
        .addColumn('data', types.bytes, (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('minke_command_output_key_seq')
        .on('minke_command_output')
        .columns(['output_key', 'seq'])
        .unique()
        .execute();
      await db.schema
        .createIndex('minke_command_output_session_record')
        .on('minke_command_output')
        .column('session_record_id')
        .execute();
      await db.schema.alterTable('minke_commands').addColumn('output_cut', types.json).execute();
    },
  };
}
