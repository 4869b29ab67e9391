import { sql, type Expression, type ExpressionBuilder, type SqlBool } from 'kysely';
import { InputError } from '../errors.js';
import { compileFactCondition, FACTS_PATH } from './fact-filter.js';
import type { ModelDefinition } from '../model/define-model.js';
import type { Field } from '../model/fields.js';
import { HOST_MODEL } from '../model/host-model.js';
import { columnOf, type ModelRegistry } from '../model/model-registry.js';
import { coerceFromText, encodeValue } from '../model/record-codec.js';
import type { StoreAdapter } from '../store/adapter.js';
import { isCondition, type Condition, type Filter, type FilterValue } from './filter.js';
import { inSet, type HoistedSets } from './hoisted-sets.js';
import { textMatch } from './text-match.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyEb = ExpressionBuilder<any, any>;

interface Context {
  registry: ModelRegistry;
  adapter: StoreAdapter;
  /** The statement's sets: a path's outermost `IN (SELECT …)` is hoisted there (see HoistedSets). */
  sets?: HoistedSets | undefined;
}

/** A column the filter knows on every model's table, which no model declares. */
function builtIn(
  kind: 'int' | 'datetime' | 'text',
  extra: { unique?: boolean; optional?: boolean; label?: string } = {},
): Field {
  return {
    kind,
    optional: extra.optional ?? false,
    unique: extra.unique ?? false,
    default: undefined,
    label: extra.label,
    help: undefined,
  };
}

const systemFields: Record<string, Field> = {
  id: builtIn('int', { unique: true, label: 'ID' }),
  created_at: builtIn('datetime'),
  updated_at: builtIn('datetime'),
};
const plainText = builtIn('text', { optional: true });

/**
 * Turns a filter into a SQL condition on `model`'s table. A path through refs becomes nested
 * `IN (SELECT id ...)` subqueries, which both SQLite and PostgreSQL plan well and which need no
 * join aliases.
 */
export function compileFilter(
  eb: AnyEb,
  model: ModelDefinition,
  filter: Filter,
  context: Context,
): Expression<SqlBool> {
  if (isCondition(filter)) return compileCondition(eb, model, filter, filter.path, context);
  if ('and' in filter) return eb.and(filter.and.map((f) => compileFilter(eb, model, f, context)));
  if ('or' in filter) return eb.or(filter.or.map((f) => compileFilter(eb, model, f, context)));
  return eb.not(compileFilter(eb, model, filter.not, context));
}

function compileCondition(
  eb: AnyEb,
  model: ModelDefinition,
  condition: Condition,
  path: readonly string[],
  context: Context,
): Expression<SqlBool> {
  const [head, ...rest] = path;
  if (head === undefined) throw badPath(condition, model, 'is empty');
  const qualified = (column: string) => `${model.table}.${column}`;

  if (model.name === HOST_MODEL && head === 'groups') {
    return compileHostGroups(eb, model, condition, rest, context);
  }
  if (head === FACTS_PATH && model.fields[head] === undefined) {
    if (model.name === HOST_MODEL)
      return compileFactCondition(eb, qualified('id'), condition, rest, context);
    // Any model reaches one host: `facts.os.release` on App means `server.host.facts.os.release`.
    const steps = context.registry.hostPath(model.name).map((step) => step.field);
    if (steps.length === 0) throw badPath(condition, model, 'reaches no host to take facts from');
    return compileCondition(eb, model, condition, [...steps, ...path], context);
  }
  const field = model.fields[head] ?? systemFields[head];
  if (!field) throw badPath(condition, model, `has no field "${head}"`);

  if (field.kind === 'ref') {
    const target = context.registry.get(field.model);
    const column = qualified(columnOf(head, field));
    if (rest.length === 0) return compileRefValue(eb, column, target, condition, context);
    if (condition.op === 'null') {
      // "server.name is null" is true when there is no server, or its name is empty.
      return eb.or([
        eb(column, 'is', null),
        inSet(eb, column, subquery(eb, target, condition, rest, context), context.sets),
      ]);
    }
    return inSet(eb, column, subquery(eb, target, condition, rest, context), context.sets);
  }
  if (rest.length > 0) {
    if (field.kind === 'json')
      return compileJsonPath(eb, qualified(head), condition, rest, context);
    throw badPath(condition, model, `"${head}" is a ${field.kind} field, not a ref`);
  }
  return compareColumn(eb, qualified(columnOf(head, field)), field, condition, context);
}

function subquery(
  eb: AnyEb,
  target: ModelDefinition,
  condition: Condition,
  rest: readonly string[],
  context: Context,
) {
  // The tests inside stay inside: only the outermost set of a path is hoisted.
  const within = { ...context, sets: undefined };
  return eb
    .selectFrom(target.table)
    .select(`${target.table}.id`)
    .where((inner: AnyEb) => compileCondition(inner, target, condition, rest, within));
}

/** `host = web-1` compares a Host ref by name; other refs compare ids. */
function compileRefValue(
  eb: AnyEb,
  column: string,
  target: ModelDefinition,
  condition: Condition,
  context: Context,
): Expression<SqlBool> {
  const values = condition.values ?? [condition.value ?? null];
  const byName =
    target.name === HOST_MODEL && values.some((v) => typeof v === 'string' && !/^\d+$/.test(v));
  if (byName)
    return inSet(eb, column, subquery(eb, target, condition, ['name'], context), context.sets);
  const idField = systemFields['id'] as Field;
  return compareColumn(eb, column, idField, condition, context);
}

function compileHostGroups(
  eb: AnyEb,
  model: ModelDefinition,
  condition: Condition,
  rest: readonly string[],
  context: Context,
): Expression<SqlBool> {
  const attribute = rest[0] ?? 'name';
  if (rest.length > 1 || (attribute !== 'name' && attribute !== 'id')) {
    throw badPath(condition, model, 'groups take only .name or .id');
  }
  const field = attribute === 'id' ? (systemFields['id'] as Field) : plainText;
  const members = eb
    .selectFrom('minke_host_group_members')
    .innerJoin('minke_host_groups', 'minke_host_groups.id', 'minke_host_group_members.group_id')
    .select('minke_host_group_members.host_id')
    .where((inner: AnyEb) =>
      compareColumn(inner, `minke_host_groups.${attribute}`, field, condition, context),
    );
  return inSet(eb, `${model.table}.id`, members, context.sets);
}

/**
 * A path into a JSON field (`config.ssh.user`): compared as text, the same text on both databases
 * (a number as its digits, `true`/`false` for booleans), as PostgreSQL's `#>>` gives it.
 */
function compileJsonPath(
  eb: AnyEb,
  column: string,
  condition: Condition,
  rest: readonly string[],
  context: Context,
): Expression<SqlBool> {
  if (!rest.every((key) => /^[A-Za-z_][\w]*$/.test(key))) {
    throw new InputError(`invalid JSON path in ${condition.path.join('.')}`);
  }
  const extracted =
    context.adapter.kind === 'postgres'
      ? sql`(${sql.ref(column)}::jsonb #>> ${sql.lit(`{${rest.join(',')}}`)})`
      : sqliteJsonText(sql.ref(column), sql.lit(`$.${rest.join('.')}`));
  return compareExpression(eb, extracted, plainText, condition, context, true);
}

/** SQLite's text of a JSON value: `json_extract` gives numbers and booleans (1/0) untyped. */
function sqliteJsonText(column: Expression<unknown>, path: Expression<unknown>) {
  return sql`(CASE json_type(${column}, ${path}) WHEN 'true' THEN 'true' WHEN 'false' THEN 'false' ELSE CAST(json_extract(${column}, ${path}) AS TEXT) END)`;
}

function compareColumn(
  eb: AnyEb,
  column: string,
  field: Field,
  condition: Condition,
  context: Context,
): Expression<SqlBool> {
  return compareExpression(eb, sql.ref(column), field, condition, context, false);
}

/** Kinds kept as text columns, whose long IN lists are joined as an array on PostgreSQL. */
const TEXT_KINDS: ReadonlySet<string> = new Set(['text', 'enum']);

/** From how many values an IN list of text is an array's rows on PostgreSQL. */
const LONG_IN_LIST = 10;

function compareExpression(
  eb: AnyEb,
  left: Expression<unknown>,
  field: Field,
  condition: Condition,
  context: Context,
  asText: boolean,
): Expression<SqlBool> {
  const encode = (value: FilterValue | undefined) =>
    encodeFilterValue(field, value, condition, context, asText);
  switch (condition.op) {
    case 'null':
      return eb(left, 'is', null);
    case 'notnull':
      return eb(left, 'is not', null);
    case 'in': {
      const values = (condition.values ?? []).map(encode);
      // PostgreSQL plans a long IN list of text on a search field's trigram index, a lookup per
      // value (500 short names of 10,000 hosts: 1.2 s); as an array's rows it joins them (3 ms).
      if (
        context.adapter.kind === 'postgres' &&
        !asText &&
        TEXT_KINDS.has(field.kind) &&
        values.length >= LONG_IN_LIST &&
        values.every((value) => typeof value === 'string')
      )
        return sql<SqlBool>`${left} IN (SELECT unnest(CAST(${values} AS text[])))`;
      return eb(left, 'in', values);
    }
    case 'contains':
    case 'startswith':
      return textMatch(context.adapter, left, String(condition.value ?? ''), condition.op);
    default: {
      const value = encode(condition.value);
      if (value === null)
        return condition.op === 'ne' ? eb(left, 'is not', null) : eb(left, 'is', null);
      const ops = { eq: '=', ne: '<>', lt: '<', le: '<=', gt: '>', ge: '>=' } as const;
      const comparison = eb(left, ops[condition.op], value);
      // "x != 3" also matches records where x is empty, as a person reading it expects.
      return condition.op === 'ne' ? eb.or([comparison, eb(left, 'is', null)]) : comparison;
    }
  }
}

function encodeFilterValue(
  field: Field,
  value: FilterValue | undefined,
  condition: Condition,
  context: Context,
  asText: boolean,
): unknown {
  if (value === null || value === undefined) return null;
  if (asText) return String(value);
  const coerced = typeof value === 'string' ? coerceFromText(field, value) : value;
  const expected: Record<Field['kind'], string> = {
    text: 'string',
    enum: 'string',
    datetime: 'string',
    json: 'string',
    int: 'number',
    float: 'number',
    ref: 'number',
    bool: 'boolean',
  };
  const wanted = expected[field.kind];
  if (
    field.kind !== 'json' &&
    typeof coerced !== wanted &&
    !(wanted === 'string' && typeof coerced === 'number')
  ) {
    throw new InputError(
      `${condition.path.join('.')}: "${String(value)}" is not a ${field.kind === 'bool' ? 'true/false value' : field.kind}`,
      { fields: { [condition.path.join('.')]: `expected ${field.kind}` } },
    );
  }
  return field.kind === 'text' || field.kind === 'enum'
    ? String(coerced)
    : encodeValue(field, coerced, context.adapter);
}

function badPath(condition: Condition, model: ModelDefinition, reason: string): InputError {
  const path = condition.path.join('.');
  return new InputError(`filter "${path}": ${model.name} ${reason}`, {
    fields: { [path]: reason },
  });
}
