import { sql, type Kysely } from 'kysely';
import { InputError, SetupError } from '../errors.js';
import type { Database } from '../store/database.js';
import { naturalKeyIndex } from '../store/natural-key.js';
import { columnTypeOf } from './column-types.js';
import type { ModelDefinition } from './define-model.js';
import type { Field } from './fields.js';
import { HOST_MODEL } from './host-model.js';
import { columnOf, type ModelRegistry } from './model-registry.js';
import { encodeValue } from './record-codec.js';

/** What Minke remembers of a field to tell a safe change from a destructive one. */
interface StoredField {
  kind: Field['kind'];
  unique: boolean;
  model?: string;
}
type StoredFields = Record<string, StoredField>;

export interface SchemaChange {
  model: string;
  action:
    | 'create table'
    | 'add column'
    | 'drop column'
    | 'add unique'
    | 'drop unique'
    | 'add search index'
    | 'drop search index';
  column?: string;
}

export interface SyncOptions {
  /** `Model.field` names whose columns (and data) the user agreed to drop. */
  dropColumns?: readonly string[];
}

/**
 * Creates the tables of user models and adds new columns by itself. A change that could lose data
 * (a field removed or retyped) stops with a message that says what to do.
 */
export async function syncModelSchemas(
  database: Database,
  registry: ModelRegistry,
  options: SyncOptions = {},
): Promise<SchemaChange[]> {
  const changes: SchemaChange[] = [];
  const stored = await readStoredSchemas(database.db);
  const drops = new Set(options.dropColumns ?? []);
  for (const drop of drops) checkDropName(drop, registry, stored);
  // Plan everything before changing anything, so a refused change leaves the database as it was.
  const plans = registry.userModels.map((model) => planModel(model, stored.get(model.name), drops));
  for (const [index, model] of registry.userModels.entries()) {
    const plan = plans[index];
    if (!plan) continue;
    if (plan.create) {
      await createModelTable(database, registry, model);
      changes.push({ model: model.name, action: 'create table' });
    } else {
      await applyPlan(database, registry, model, plan, changes);
    }
    await createOrderIndexes(database, model);
    await writeStoredSchema(database, model);
  }
  return changes;
}

/** True when every model's table matches its definition (no `minke migrate` needed). */
export async function modelSchemasInSync(
  database: Database,
  registry: ModelRegistry,
): Promise<string[]> {
  const stored = await readStoredSchemas(database.db);
  const stale: string[] = [];
  for (const model of registry.userModels) {
    const previous = stored.get(model.name);
    if (!previous || JSON.stringify(previous) !== JSON.stringify(describeFields(model))) {
      stale.push(model.name);
    }
  }
  return stale;
}

interface Plan {
  create: boolean;
  add: [string, Field][];
  drop: [string, StoredField][];
  addUnique: [string, Field][];
  dropUnique: [string, StoredField][];
}

function planModel(
  model: ModelDefinition,
  previous: StoredFields | undefined,
  drops: Set<string>,
): Plan {
  const plan: Plan = { create: !previous, add: [], drop: [], addUnique: [], dropUnique: [] };
  if (!previous) return plan;
  for (const [name, field] of Object.entries(model.fields)) {
    const old = previous[name];
    if (!old) {
      plan.add.push([name, field]);
      continue;
    }
    const retyped = old.kind !== field.kind || (field.kind === 'ref' && old.model !== field.model);
    if (retyped) {
      const from = old.kind === 'ref' ? `ref to ${old.model}` : old.kind;
      const to = field.kind === 'ref' ? `ref to ${field.model}` : field.kind;
      throw new SetupError(
        `model ${model.name}, field ${name}: its type changed from ${from} to ${to}, and Minke does not convert stored data. ` +
          `Add a new field with the new type and copy the values over, or run \`minke migrate --drop-column ${model.name}.${name}\` first to delete the column and its data.`,
      );
    }
    if (field.unique && !old.unique) plan.addUnique.push([name, field]);
    if (!field.unique && old.unique) plan.dropUnique.push([name, old]);
  }
  for (const [name, old] of Object.entries(previous)) {
    if (name in model.fields) continue;
    if (!drops.has(`${model.name}.${name}`)) {
      throw new SetupError(
        `model ${model.name}: field ${name} was removed, but its column still holds data. ` +
          `Put the field back, or run \`minke migrate --drop-column ${model.name}.${name}\` to delete the column and its data.`,
      );
    }
    plan.drop.push([name, old]);
  }
  return plan;
}

async function applyPlan(
  database: Database,
  registry: ModelRegistry,
  model: ModelDefinition,
  plan: Plan,
  changes: SchemaChange[],
): Promise<void> {
  const { db } = database;
  for (const [name, old] of [...plan.dropUnique, ...plan.drop.filter(([, o]) => o.unique)]) {
    await db.schema
      .dropIndex(uniqueIndexName(model, columnOf(name, old as Field)))
      .ifExists()
      .execute();
    if (plan.dropUnique.some(([n]) => n === name)) {
      changes.push({ model: model.name, action: 'drop unique', column: name });
    }
  }
  for (const [name, old] of plan.drop) {
    // SQLite refuses to drop a column an index reads; the order index goes with it.
    await db.schema.dropIndex(`${model.table}_${name}_natural`).ifExists().execute();
    const column = old.kind === 'ref' ? `${name}_id` : name;
    await db.schema.alterTable(model.table).dropColumn(column).execute();
    changes.push({ model: model.name, action: 'drop column', column });
  }
  for (const [name, field] of plan.add) {
    await addColumn(database, registry, model, name, field);
    changes.push({ model: model.name, action: 'add column', column: columnOf(name, field) });
  }
  for (const [name, field] of plan.addUnique) {
    await createUniqueIndex(database, model, name, field);
    changes.push({ model: model.name, action: 'add unique', column: name });
  }
}

async function addColumn(
  database: Database,
  registry: ModelRegistry,
  model: ModelDefinition,
  name: string,
  field: Field,
): Promise<void> {
  const { db, adapter } = database;
  const column = columnOf(name, field);
  const rows = await countRows(db, model.table);
  if (rows > 0 && !field.optional && field.default === undefined) {
    throw new SetupError(
      `model ${model.name}, new field ${name}: it is required, but the table already has ${rows} record(s) with no value for it. ` +
        `Give the field a default, or make it optional ({ optional: true }).`,
    );
  }
  await db.schema
    .alterTable(model.table)
    .addColumn(column, columnTypeOf(field, adapter), (c) =>
      field.kind === 'ref'
        ? c.references(`${registry.get(field.model).table}.id`).onDelete('set null')
        : c,
    )
    .execute();
  if (rows > 0 && field.default !== undefined) {
    await db
      .updateTable(model.table)
      .set({ [column]: encodeValue(field, field.default, adapter) })
      .execute();
  }
  if (field.unique) await createUniqueIndex(database, model, name, field);
  if (field.kind === 'ref') await createRefIndex(db, model, column);
}

async function createModelTable(
  database: Database,
  registry: ModelRegistry,
  model: ModelDefinition,
): Promise<void> {
  const { db, adapter } = database;
  const now = sql`CURRENT_TIMESTAMP`;
  let builder = db.schema
    .createTable(model.table)
    .ifNotExists()
    .addColumn('id', adapter.idType, (c) => c.primaryKey());
  for (const [name, field] of Object.entries(model.fields)) {
    const column = columnOf(name, field);
    builder = builder.addColumn(column, columnTypeOf(field, adapter), (c) => {
      if (field.kind !== 'ref') return c;
      // A required ref is the record's parent: deleting the parent deletes it (Django's CASCADE).
      const target = registry.get(field.model).table;
      return c.references(`${target}.id`).onDelete(field.optional ? 'set null' : 'cascade');
    });
  }
  builder = builder
    .addColumn('created_at', adapter.types.datetime, (c) => c.notNull().defaultTo(now))
    .addColumn('updated_at', adapter.types.datetime, (c) => c.notNull().defaultTo(now));
  await builder.execute();
  for (const [name, field] of Object.entries(model.fields)) {
    if (field.unique) await createUniqueIndex(database, model, name, field);
    if (field.kind === 'ref') await createRefIndex(db, model, columnOf(name, field));
  }
}

async function createUniqueIndex(
  database: Database,
  model: ModelDefinition,
  name: string,
  field: Field,
): Promise<void> {
  const column = columnOf(name, field);
  try {
    await database.db.schema
      .createIndex(uniqueIndexName(model, column))
      .ifNotExists()
      .on(model.table)
      .column(column)
      .unique()
      .execute();
  } catch (error) {
    throw new SetupError(
      `model ${model.name}, field ${name}: cannot make it unique, records already share values (${(error as Error).message}). Fix the duplicates first.`,
      { cause: error },
    );
  }
}

async function createRefIndex(
  db: Kysely<unknown>,
  model: ModelDefinition,
  column: string,
): Promise<void> {
  await db.schema
    .createIndex(`${model.table}_${column}_idx`)
    .ifNotExists()
    .on(model.table)
    .column(column)
    .execute();
}

/**
 * A natural-key index on each text field the model is ordered by (`ordering`, what its lists show
 * by default), so that a page of a large model is read off the index. `IF NOT EXISTS`: tables made
 * before these indexes get them at the next sync.
 */
async function createOrderIndexes(database: Database, model: ModelDefinition): Promise<void> {
  for (const entry of model.ordering) {
    const name = entry.replace(/^-/, '');
    if (model.fields[name]?.kind !== 'text') continue;
    const index = naturalKeyIndex(
      database.adapter.kind,
      `${model.table}_${name}_natural`,
      model.table,
      name,
    );
    await index.execute(database.db);
  }
}

function uniqueIndexName(model: ModelDefinition, column: string): string {
  return `${model.table}_${column}_unique`;
}

async function countRows(db: Kysely<unknown>, table: string): Promise<number> {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const row = await (db as Kysely<any>)
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}

function describeFields(model: ModelDefinition): StoredFields {
  const out: StoredFields = {};
  for (const [name, field] of Object.entries(model.fields)) {
    out[name] =
      field.kind === 'ref'
        ? { kind: field.kind, unique: field.unique, model: field.model }
        : { kind: field.kind, unique: field.unique };
  }
  return out;
}

async function readStoredSchemas(db: Kysely<unknown>): Promise<Map<string, StoredFields>> {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const rows = await (db as Kysely<any>)
    .selectFrom('minke_model_schemas')
    .select(['model', 'fields'])
    .execute();
  return new Map(
    rows.map((row: { model: string; fields: string }) => [
      row.model,
      JSON.parse(row.fields) as StoredFields,
    ]),
  );
}

async function writeStoredSchema(database: Database, model: ModelDefinition): Promise<void> {
  const fields = JSON.stringify(describeFields(model));
  const values = {
    model: model.name,
    table_name: model.table,
    fields,
    updated_at: new Date().toISOString(),
  };
  await database.db
    .insertInto('minke_model_schemas')
    .values(values)
    .onConflict((oc) =>
      oc
        .column('model')
        .doUpdateSet({ fields, table_name: model.table, updated_at: values.updated_at }),
    )
    .execute();
}

/** A `--drop-column` the user typed that names nothing droppable: their input, not the setup. */
function checkDropName(
  drop: string,
  registry: ModelRegistry,
  stored: Map<string, StoredFields>,
): void {
  const [modelName, field, extra] = drop.split('.');
  if (!modelName || !field || extra !== undefined) {
    throw new InputError(`--drop-column takes Model.field, got "${drop}"`);
  }
  if (modelName === HOST_MODEL)
    throw new InputError("Host columns are Minke's own and cannot be dropped");
  const model = registry.models.get(modelName);
  if (!model) throw new InputError(`--drop-column ${drop}: unknown model ${modelName}`);
  if (field in model.fields) {
    throw new InputError(
      `--drop-column ${drop}: the field is still declared in the model; remove it from the model first`,
    );
  }
  if (!stored.get(modelName)?.[field]) {
    throw new InputError(`--drop-column ${drop}: ${modelName} has no such column`);
  }
}
