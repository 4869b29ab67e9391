import { InputError } from '../errors.js';
import type { ModelDefinition } from '../model/define-model.js';
import { columnOf } from '../model/model-registry.js';
import type { Filter } from './filter.js';
import { naturalOrder } from './natural-order.js';

/**
 * The conditions of a records query: its filter, and its free-text search as `contains` on the
 * model's search fields. Shared by the record repository and the admin's list.
 */
export function recordConditions(
  model: ModelDefinition,
  query: { filter?: Filter | undefined; search?: string | undefined },
): Filter[] {
  const conditions: Filter[] = [];
  if (query.filter) conditions.push(query.filter);
  const search = query.search?.trim();
  if (search && model.searchFields.length > 0) {
    conditions.push({
      or: model.searchFields.map((field) => ({
        path: [field],
        op: 'contains' as const,
        value: search,
      })),
    });
  }
  return conditions;
}

/**
 * Orders a records query by field names (`-name` descending), the model's ordering by default,
 * with the id as a stable tie-break so that pages never repeat or skip a record. Text fields sort
 * naturally (`node-2` before `node-10`) on the database `kind` given (see `naturalOrder`).
 */
export function orderRecords<
  Q extends {
    orderBy: (column: string | ReturnType<typeof naturalOrder>, direction: 'asc' | 'desc') => Q;
  },
>(
  builder: Q,
  model: ModelDefinition,
  order: readonly string[] | undefined,
  kind?: 'sqlite' | 'postgres',
): Q {
  const entries = order && order.length > 0 ? order : model.ordering;
  let result = builder;
  for (const entry of entries) {
    const name = entry.replace(/^-/, '');
    const field = model.fields[name];
    if (!field && !['id', 'created_at', 'updated_at'].includes(name)) {
      throw new InputError(`cannot order ${model.name} by "${name}": no such field`, {
        fields: { order: name },
      });
    }
    const column = `${model.table}.${field ? columnOf(name, field) : name}`;
    const direction = entry.startsWith('-') ? 'desc' : 'asc';
    if (kind && field?.kind === 'text')
      result = result.orderBy(naturalOrder(kind, column), direction);
    result = result.orderBy(column, direction);
  }
  return result.orderBy(`${model.table}.id`, 'asc');
}
