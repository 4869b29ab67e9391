import {
  sql,
  type Expression,
  type ExpressionBuilder,
  type RawBuilder,
  type SqlBool,
} from 'kysely';
import { pluginNameProblem } from '@minke/protocol';
import { InputError } from '../errors.js';
import type { Condition, FilterValue } from './filter.js';
import type { StoreAdapter } from '../store/adapter.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyEb = ExpressionBuilder<any, any>;

/** The first level of a filter path that looks into facts: `facts.<plugin>.<key>...`. */
export const FACTS_PATH = 'facts';

/**
 * A condition on a host's facts: `facts.os.release = "12"`, `facts.os exists`,
 * `facts.packages ~ nginx`, `facts.cpu.count >= 4`. It becomes
 * `host.id IN (SELECT host_id FROM facts JOIN agents ... WHERE plugin = ? AND <test on the JSON>)`
 * (or `NOT IN` for `!=` and `is null`, so a host without the fact counts as "not equal").
 *
 * Values compare as text (a JSON number 12 equals "12"); `<`, `<=`, `>`, `>=` with a number
 * compare numerically, reading strings that look like numbers as numbers. `~` and `^=` look in
 * the text (the JSON text of a list or an object). `exists` means present and not null.
 *
 * @param rest the path after `facts`: the plugin name, then keys (a key of digits is an index
 *   into a list).
 */
export function compileFactCondition(
  eb: AnyEb,
  hostIdColumn: string,
  condition: Condition,
  rest: readonly string[],
  adapter: StoreAdapter,
): Expression<SqlBool> {
  const [plugin, ...keys] = rest;
  const shown = condition.path.join('.');
  if (plugin === undefined) {
    throw new InputError(`filter "${shown}": name a plugin, as in facts.os.release`, {
      fields: { [shown]: 'no plugin' },
    });
  }
  const problem = pluginNameProblem(plugin);
  if (problem)
    throw new InputError(`filter "${shown}": ${problem}`, { fields: { [shown]: problem } });
  for (const key of keys) {
    if (!/^[A-Za-z0-9_][A-Za-z0-9_-]*$/.test(key)) {
      throw new InputError(`filter "${shown}": "${key}" is not a usable key`, {
        fields: { [shown]: 'invalid key' },
      });
    }
  }
  const json = jsonSql(adapter, keys);
  const { test, negated } = factTest(json, condition, keys.length === 0, adapter);
  const hosts = eb
    .selectFrom('minke_facts as fact_')
    .innerJoin('minke_agents as fact_agent_', 'fact_agent_.id', 'fact_.agent_id')
    .select('fact_agent_.host_id')
    .where('fact_agent_.host_id', 'is not', null)
    .where('fact_.plugin', '=', plugin)
    .where(() => test);
  const inHosts = eb(sql.ref(hostIdColumn), 'in', hosts);
  return negated ? eb.not(inHosts) : inHosts;
}

/** The SQL for one JSON path into `fact_.value`, per database. */
export interface JsonSql {
  /** Present and not JSON null. */
  exists: RawBuilder<SqlBool>;
  /** The value as text (strings unquoted; lists and objects as JSON text). */
  text: RawBuilder<string>;
  /** The value as a number when it is one (or a string that looks like one), else NULL. */
  number: RawBuilder<number>;
}

export function jsonSql(adapter: StoreAdapter, keys: readonly string[]): JsonSql {
  const value = sql.ref('fact_.value');
  if (adapter.kind === 'postgres') {
    const doc = sql`(${value}::jsonb)`;
    const path = sql`${sql.val(keys)}::text[]`;
    const node = sql`(${doc} #> ${path})`;
    const text = sql<string>`(${doc} #>> ${path})`;
    return {
      exists: sql<SqlBool>`(jsonb_typeof(${node}) <> 'null')`,
      text,
      number: sql<number>`(CASE WHEN jsonb_typeof(${node}) = 'number' THEN ${text}::numeric WHEN jsonb_typeof(${node}) = 'string' AND ${text} ~ '^\\s*-?[0-9]+(\\.[0-9]+)?\\s*$' THEN trim(${text})::numeric END)`,
    };
  }
  const path = sql.val(
    `$${keys.map((key) => (/^\d+$/.test(key) ? `[${key}]` : `."${key}"`)).join('')}`,
  );
  const type = sql`json_type(${value}, ${path})`;
  const extracted = sql`json_extract(${value}, ${path})`;
  return {
    exists: sql<SqlBool>`(${type} IS NOT NULL AND ${type} <> 'null')`,
    text: sql<string>`(CASE ${type} WHEN 'true' THEN 'true' WHEN 'false' THEN 'false' ELSE CAST(${extracted} AS TEXT) END)`,
    number: sql<number>`(CASE WHEN ${type} IN ('integer', 'real') THEN ${extracted} WHEN ${type} = 'text' AND trim(${extracted}) GLOB '*[0-9]*' AND trim(${extracted}) NOT GLOB '*[^0-9.-]*' THEN CAST(trim(${extracted}) AS REAL) END)`,
  };
}

/** The positive test on one fact row, and whether the condition is its negation. */
function factTest(
  json: JsonSql,
  condition: Condition,
  wholeValue: boolean,
  adapter: StoreAdapter,
): { test: RawBuilder<SqlBool>; negated: boolean } {
  const present = wholeValue ? sql<SqlBool>`1 = 1` : json.exists;
  const equals = (value: FilterValue | undefined) =>
    value === null || value === undefined
      ? undefined
      : sql<SqlBool>`${json.text} = ${String(value)}`;
  switch (condition.op) {
    case 'notnull':
      return { test: present, negated: false };
    case 'null':
      return { test: present, negated: true };
    case 'eq': {
      const test = equals(condition.value);
      return test ? { test, negated: false } : { test: present, negated: true };
    }
    case 'ne': {
      const test = equals(condition.value);
      return test ? { test, negated: true } : { test: present, negated: false };
    }
    case 'in': {
      const values = (condition.values ?? []).filter((v) => v !== null).map(String);
      if (values.length === 0) return { test: sql<SqlBool>`1 = 0`, negated: false };
      return {
        test: sql<SqlBool>`${json.text} IN (${sql.join(values.map((v) => sql.val(v)))})`,
        negated: false,
      };
    }
    case 'contains':
    case 'startswith': {
      const text = String(condition.value ?? '').replace(/[\\%_]/g, (c) => `\\${c}`);
      const pattern = condition.op === 'contains' ? `%${text}%` : `${text}%`;
      const op = sql.raw(adapter.containsOperator);
      return { test: sql<SqlBool>`${json.text} ${op} ${pattern} ESCAPE '\\'`, negated: false };
    }
    case 'lt':
    case 'le':
    case 'gt':
    case 'ge': {
      const op = sql.raw({ lt: '<', le: '<=', gt: '>', ge: '>=' }[condition.op]);
      const value = condition.value;
      if (typeof value === 'number') {
        return { test: sql<SqlBool>`${json.number} ${op} ${value}`, negated: false };
      }
      if (value === null || value === undefined)
        return { test: sql<SqlBool>`1 = 0`, negated: false };
      return { test: sql<SqlBool>`${json.text} ${op} ${String(value)}`, negated: false };
    }
  }
}
