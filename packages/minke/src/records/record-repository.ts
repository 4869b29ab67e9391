import { ConflictError, InputError, NotFoundError } from '../errors.js';
import type { ModelDefinition } from '../model/define-model.js';
import { columnOf, type ModelRegistry } from '../model/model-registry.js';
import {
  decodeRow,
  encodeRow,
  recordInputSchema,
  withDefaults,
  type RecordValues,
} from '../model/record-codec.js';
import { compileFilter } from '../query/compile-filter.js';
import { recordConditions } from '../query/record-query.js';
import { readPage, type RowCondition } from '../query/read-page.js';
import { pageLimit } from '../query/paging.js';
import type { Filter } from '../query/filter.js';
import type { DynamicKysely } from '../store/database.js';
import type { DatabaseHandle } from '../store/transaction.js';

export interface ListQuery {
  filter?: Filter | undefined;
  /** Free text, looked for in the model's search fields. */
  search?: string | undefined;
  /** Field names, `-field` for descending; the model's ordering when absent. */
  order?: readonly string[] | undefined;
  limit?: number | undefined;
  offset?: number | undefined;
}

export interface Page<T> {
  items: T[];
  total: number;
  limit: number;
  offset: number;
}

export { MAX_PAGE_SIZE } from '../query/paging.js';

/** Values looked up in one query by `idsWhereIn`. */
const VALUES_PER_QUERY = 500;

/**
 * Reads and writes the records of any model (Host included) through its definition: validation,
 * encoding, filters through refs, search, ordering and paging.
 */
export class RecordRepository {
  constructor(
    private readonly database: DatabaseHandle,
    private readonly registry: ModelRegistry,
  ) {}

  /** The same repository inside a transaction (`inTransaction`'s handle). */
  in(trx: DatabaseHandle): RecordRepository {
    return new RecordRepository(trx, this.registry);
  }

  private get db(): DynamicKysely {
    return this.database.db;
  }

  async list(modelName: string, query: ListQuery = {}): Promise<Page<RecordValues>> {
    const model = this.registry.get(modelName);
    const limit = pageLimit(query.limit);
    const offset = Math.max(0, Math.trunc(query.offset ?? 0));
    const { rows, total } = await readPage(this.db, this.database.adapter.kind, {
      model,
      conditions: this.conditions(model, query),
      order: query.order,
      limit,
      offset,
    });
    return {
      items: rows.map((row) => decodeRow(model, row, this.database.adapter)),
      total,
      limit,
      offset,
    };
  }

  /** Ids of every record that matches (no paging): what a run selects with `--where` or `--all`. */
  async ids(
    modelName: string,
    query: Pick<ListQuery, 'filter' | 'search'> = {},
  ): Promise<number[]> {
    const model = this.registry.get(modelName);
    const rows = await this.filtered(model, query)
      .select(`${model.table}.id`)
      .orderBy(`${model.table}.id`)
      .execute();
    return rows.map((row) => Number(row.id));
  }

  /**
   * The id and `field` of every record whose `field` (text, or a whole number such as a ref) is
   * one of `values`, in no set order: names looked up in bulk, taken values found. Through the
   * filter compiler's `in`, which PostgreSQL reads as an array's rows for text; 500 values a
   * query, far below SQLite's 32,766 and PostgreSQL's 65,535 parameters.
   */
  async idsWhereIn(
    modelName: string,
    field: string,
    values: readonly (string | number)[],
  ): Promise<{ id: number; value: string | number }[]> {
    const model = this.registry.get(modelName);
    const definition = model.fields[field];
    if (!definition) throw new InputError(`${model.name} has no field "${field}"`);
    const column = `${model.table}.${columnOf(field, definition)}`;
    const asGiven = (value: unknown) =>
      typeof values[0] === 'number' ? Number(value) : String(value);
    const found: { id: number; value: string | number }[] = [];
    for (let from = 0; from < values.length; from += VALUES_PER_QUERY) {
      const filter: Filter = {
        path: [field],
        op: 'in',
        values: values.slice(from, from + VALUES_PER_QUERY),
      };
      const rows = await this.filtered(model, { filter })
        .select([`${model.table}.id as id`, `${column} as value`])
        .execute();
      for (const row of rows) found.push({ id: Number(row['id']), value: asGiven(row['value']) });
    }
    return found;
  }

  async get(modelName: string, id: number): Promise<RecordValues> {
    const model = this.registry.get(modelName);
    const row = await this.db
      .selectFrom(model.table)
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    if (!row) throw new NotFoundError(`${model.name} ${id} does not exist`);
    return decodeRow(model, row, this.database.adapter);
  }

  async findBy(
    modelName: string,
    field: string,
    value: unknown,
  ): Promise<RecordValues | undefined> {
    const model = this.registry.get(modelName);
    const definition = model.fields[field];
    const column = definition ? columnOf(field, definition) : field;
    const row = await this.db
      .selectFrom(model.table)
      .selectAll()
      .where(column, '=', value)
      .executeTakeFirst();
    return row ? decodeRow(model, row, this.database.adapter) : undefined;
  }

  /**
   * Whether `input` passes the field checks of `create` or `update` (types, enums, required
   * fields), without writing: throws the same InputError. Refs and unique fields are checked by
   * the write itself.
   */
  check(modelName: string, input: unknown, mode: 'create' | 'update'): void {
    validate(this.registry.get(modelName), input, mode);
  }

  async create(modelName: string, input: unknown): Promise<RecordValues> {
    const model = this.registry.get(modelName);
    const values = withDefaults(model, validate(model, input, 'create'));
    await this.checkRefs(model, values);
    const row = encodeRow(model, values, this.database.adapter);
    const inserted = await this.write(model, () =>
      this.db.insertInto(model.table).values(row).returning('id').executeTakeFirstOrThrow(),
    );
    return this.get(modelName, Number(inserted.id));
  }

  async update(modelName: string, id: number, input: unknown): Promise<RecordValues> {
    const model = this.registry.get(modelName);
    const values = validate(model, input, 'update');
    await this.get(modelName, id);
    await this.checkRefs(model, values);
    const row = encodeRow(model, values, this.database.adapter);
    row['updated_at'] = this.database.adapter.encodeDate(new Date());
    await this.write(model, () =>
      this.db.updateTable(model.table).set(row).where('id', '=', id).execute(),
    );
    return this.get(modelName, id);
  }

  async delete(modelName: string, id: number): Promise<void> {
    const model = this.registry.get(modelName);
    const result = await this.db.deleteFrom(model.table).where('id', '=', id).executeTakeFirst();
    if (Number(result.numDeletedRows) === 0)
      throw new NotFoundError(`${model.name} ${id} does not exist`);
  }

  private filtered(model: ModelDefinition, query: Pick<ListQuery, 'filter' | 'search'>) {
    let builder = this.db.selectFrom(model.table);
    for (const condition of this.conditions(model, query)) builder = builder.where(condition);
    return builder;
  }

  private conditions(
    model: ModelDefinition,
    query: Pick<ListQuery, 'filter' | 'search'>,
  ): RowCondition[] {
    const context = { registry: this.registry, adapter: this.database.adapter };
    return recordConditions(model, query).map(
      (condition) => (eb, sets) => compileFilter(eb, model, condition, { ...context, sets }),
    );
  }

  private async checkRefs(model: ModelDefinition, values: Record<string, unknown>): Promise<void> {
    for (const [name, field] of Object.entries(model.fields)) {
      const value = values[name];
      if (field.kind !== 'ref' || value === null || value === undefined) continue;
      const target = this.registry.get(field.model);
      const found = await this.db
        .selectFrom(target.table)
        .select('id')
        .where('id', '=', value)
        .executeTakeFirst();
      if (!found) {
        throw new InputError(
          `${model.name}.${name}: ${target.name} ${JSON.stringify(value)} does not exist`,
          {
            fields: { [name]: `no ${target.name} with id ${JSON.stringify(value)}` },
          },
        );
      }
    }
  }

  private async write<T>(model: ModelDefinition, action: () => Promise<T>): Promise<T> {
    try {
      return await action();
    } catch (error) {
      const message = (error as Error).message;
      if (/unique/i.test(message)) {
        const field = Object.keys(model.fields).find((name) => message.includes(name));
        throw new ConflictError(
          `${model.name}: another record already has this ${field ?? 'value'}`,
          field ? { fields: { [field]: 'already taken' } } : undefined,
        );
      }
      throw error;
    }
  }
}

function validate(
  model: ModelDefinition,
  input: unknown,
  mode: 'create' | 'update',
): Record<string, unknown> {
  const parsed = recordInputSchema(model, mode).safeParse(input);
  if (parsed.success) return parsed.data;
  const fields: Record<string, string> = {};
  for (const issue of parsed.error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) fields[key] = `${model.name} has no field "${key}"`;
    } else {
      fields[issue.path.join('.') || '(record)'] = issue.message;
    }
  }
  const summary = Object.entries(fields)
    .map(([field, reason]) => `${field}: ${reason}`)
    .join('; ');
  throw new InputError(`invalid ${model.name}: ${summary}`, { fields });
}
