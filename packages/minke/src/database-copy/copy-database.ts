import { sql } from 'kysely';
import { InputError } from '../errors.js';
import type { ModelDefinition } from '../model/define-model.js';
import { columnOf, type ModelRegistry } from '../model/model-registry.js';
import { decodeValue, encodeValue } from '../model/record-codec.js';
import type { Database } from '../store/database.js';
import { minkeColumnKinds } from '../store/minke-tables.js';
import { clearTables, insertRows } from '../store/table-copy.js';
import { inTransaction, type DatabaseHandle } from '../store/transaction.js';
import { insertOrder } from './table-order.js';

/** A project's database with its models: the source or the target of a copy. */
export interface CopySide {
  database: Database;
  models: ModelRegistry;
}

export interface CopiedTable {
  table: string;
  rows: number;
}

/** Rows of a table copied so far; `done` once the table is whole. */
export interface CopyProgress extends CopiedTable {
  done: boolean;
}

/**
 * Tables that are not copied: the target's migration made its own (migrations, model schemas),
 * or they describe processes of the source that are gone (host leases, executor owners, which
 * agents are connected now; agents report again).
 */
const NOT_COPIED: ReadonlySet<string> = new Set([
  'minke_model_schemas',
  'minke_host_leases',
  'minke_executor_owners',
  'minke_agent_presence',
]);

/** What makes a database someone's: a target holding any of these is refused. */
const OWNED_DATA = ['minke_hosts', 'minke_users', 'minke_runs', 'minke_audit_log'] as const;

/**
 * Rows read and written at once. Bounded by the statement's parameters (SQLite takes 32,766, so
 * 500 rows of up to 60 columns), and by memory for stored output (chunks of up to 1 MiB).
 */
const BATCH_ROWS = 500;
const OUTPUT_BATCH_ROWS = 16;

/**
 * Copies every row of a project's database into another, migrated for the same project and
 * empty: Minke's own tables (through the column plugin on each side, so booleans, dates and JSON
 * come out as the target stores them) and the models' tables (through the record codec), ids
 * kept, in the order the foreign keys need, in one transaction on the target (all or nothing),
 * from one snapshot of the source. Then PostgreSQL's id sequences start after the copied ids.
 *
 * @example
 *   await copyDatabase(sqliteProject, postgresProject, (p) => p.done && console.log(p.table, p.rows));
 */
export async function copyDatabase(
  source: CopySide,
  target: CopySide,
  onProgress: (progress: CopyProgress) => void = () => undefined,
): Promise<CopiedTable[]> {
  // The caller has refused an unfinished run already (`refuseRunningRuns`), before it made the
  // target: a refusal then leaves no new database behind.
  await refuseTargetWithData(target);
  const modelTables = new Map(
    [...source.models.models.values()]
      .filter((model) => !model.table.startsWith('minke_'))
      .map((model) => [model.table, model]),
  );
  const tables = await insertOrder(target.database, [
    ...Object.keys(minkeColumnKinds).filter((table) => !NOT_COPIED.has(table)),
    ...modelTables.keys(),
  ]);
  return inTransaction(target.database, async (into) => {
    // What the target's migration wrote (permissions, the audit chain's head) gives way to the
    // source's rows, which the copied ones point at by id.
    await clearTables(into, tables);
    return readSnapshot(source.database, async (from) => {
      const copied: CopiedTable[] = [];
      for (const table of tables) {
        const model = modelTables.get(table);
        const batch = (rows: number) => onProgress({ table, rows, done: false });
        const rows = model
          ? await copyRows(from, into, table, batch, (row) => recodeRecord(model, row, from, into))
          : await copyRows(from, into, table, batch);
        copied.push({ table, rows });
        onProgress({ table, rows, done: true });
      }
      if (target.database.adapter.kind === 'postgres')
        await restartSequences(into, tables.filter(hasId));
      return copied;
    });
  });
}

async function refuseTargetWithData(target: CopySide): Promise<void> {
  const held: string[] = [];
  const tables = [
    ...OWNED_DATA,
    ...[...target.models.models.values()]
      .map((model) => model.table)
      .filter((table) => !table.startsWith('minke_')),
  ];
  for (const table of tables) {
    const rows = await countRows(target.database, table);
    if (rows > 0) held.push(`${table}: ${rows}`);
  }
  if (held.length > 0)
    throw new InputError(
      `the target database holds data already (${held.join(', ')}): copy into a new, empty one`,
    );
}

/** A run that has not finished may still be writing: the copy would miss its end. */
export async function refuseRunningRuns(database: Database): Promise<void> {
  const running = await database.tables
    .selectFrom('minke_runs')
    .select('id')
    .where('finished_at', 'is', null)
    .orderBy('id')
    .limit(3)
    .execute();
  if (running.length > 0)
    throw new InputError(
      `run ${running.map((run) => run.id).join(', ')} has not finished: stop Minke's servers and ` +
        'workers (and let their runs end) before copying its database',
    );
}

async function countRows(database: Database, table: string): Promise<number> {
  const row = await database.db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<string | number>().as('n'))
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}

/** Reads the source in one transaction: a snapshot on SQLite (WAL) and, by its level, PostgreSQL. */
async function readSnapshot<T>(
  database: Database,
  work: (from: DatabaseHandle) => Promise<T>,
): Promise<T> {
  if (database.adapter.kind === 'sqlite') return inTransaction(database, work);
  return database.db
    .transaction()
    .setIsolationLevel('repeatable read')
    .execute(async (db) => {
      const { minkeTablesOf } = await import('../store/minke-kysely.js');
      return work({ db, tables: minkeTablesOf(db, database.adapter), adapter: database.adapter });
    });
}

/**
 * Copies one table in batches: by id where it has one (rows in id order, so a row that points at
 * an earlier row of its own table finds it), else by its columns' order.
 */
async function copyRows(
  from: DatabaseHandle,
  into: DatabaseHandle,
  table: string,
  onBatch: (copied: number) => void,
  recode?: (row: Record<string, unknown>) => Record<string, unknown>,
): Promise<number> {
  const kinds = (minkeColumnKinds as Record<string, Record<string, string> | undefined>)[table];
  const byId = hasId(table);
  const order = byId ? ['id'] : Object.keys(kinds ?? {});
  const size = table === 'minke_command_output' ? OUTPUT_BATCH_ROWS : BATCH_ROWS;
  // Minke's tables through the typed views (their column plugin converts), the models' as stored.
  const read = kinds ? from.tables : from.db;
  let copied = 0;
  let lastId = 0;
  for (;;) {
    let query = (read as DatabaseHandle['db']).selectFrom(table).selectAll();
    query = byId ? query.where('id', '>', lastId) : query.offset(copied);
    for (const column of order) query = query.orderBy(column);
    const rows = (await query.limit(size).execute()) as Record<string, unknown>[];
    if (rows.length === 0) return copied;
    const values = recode ? rows.map(recode) : rows;
    await insertRows(into, table, values, kinds ? 'tables' : 'db');
    copied += rows.length;
    onBatch(copied);
    lastId = Number(rows.at(-1)?.['id'] ?? lastId);
    if (rows.length < size) return copied;
  }
}

/** A model's row as the target stores it: its fields, id and timestamps, each by the field's kind. */
function recodeRecord(
  model: ModelDefinition,
  row: Record<string, unknown>,
  from: DatabaseHandle,
  into: DatabaseHandle,
): Record<string, unknown> {
  const out: Record<string, unknown> = { id: Number(row['id']) };
  for (const [name, field] of Object.entries(model.fields)) {
    const column = columnOf(name, field);
    out[column] = encodeValue(field, decodeValue(field, row[column], from.adapter), into.adapter);
  }
  for (const stamp of ['created_at', 'updated_at']) {
    const value = row[stamp];
    if (value !== undefined && value !== null)
      out[stamp] = into.adapter.encodeDate(from.adapter.decodeDate(value));
  }
  return out;
}

function hasId(table: string): boolean {
  const kinds = (minkeColumnKinds as Record<string, Record<string, string> | undefined>)[table];
  return kinds === undefined || 'id' in kinds;
}

/** Each table's id sequence (serial or identity) continues after the highest copied id. */
async function restartSequences(into: DatabaseHandle, tables: readonly string[]): Promise<void> {
  for (const table of tables) {
    await sql`
      SELECT setval(pg_get_serial_sequence(${table}, 'id')::regclass, max(id)::bigint)
      FROM ${sql.table(table)}
      HAVING max(id) IS NOT NULL AND pg_get_serial_sequence(${table}, 'id') IS NOT NULL`.execute(
      into.db,
    );
  }
}
