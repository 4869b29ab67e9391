import {
  sql,
  type Expression,
  type ExpressionBuilder,
  type RawBuilder,
  type SqlBool,
} from 'kysely';
import { InputError } from '../errors.js';
import type { Condition } from './filter.js';
import {
  factPathProblem,
  planFactTest,
  type FactTestBlocks,
  type Order,
} from './fact-operator-plan.js';
import type { StoreAdapter } from '../store/adapter.js';
import { inSet, type HoistedSets } from './hoisted-sets.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyEb = ExpressionBuilder<any, any>;

/** The first level of a filter path that looks into facts: `facts.<plugin>.<key>...`. */
export const FACTS_PATH = 'facts';

/**
 * A condition on a host's facts: `facts.os.release = "12"`, `facts.os exists`,
 * `facts.packages ~ nginx`, `facts.cpu.count >= 4`. It becomes
 * `host.id IN (SELECT host_id FROM facts JOIN agents ... WHERE plugin = ? AND <test on the JSON>)`
 * (or `NOT IN` for `!=` and `is null`), with the test the operator plan picks
 * (`fact-operator-plan.ts`, where each operator's meaning is written).
 *
 * @param rest the path after `facts`: the plugin name, then keys (a key of digits is an index
 *   into a list).
 */
export function compileFactCondition(
  eb: AnyEb,
  hostIdColumn: string,
  condition: Condition,
  rest: readonly string[],
  context: { adapter: StoreAdapter; sets?: HoistedSets | undefined },
): Expression<SqlBool> {
  const { adapter } = context;
  const problem = factPathProblem(rest);
  if (problem) {
    const shown = condition.path.join('.');
    throw new InputError(`filter "${shown}": ${problem.message}`, {
      fields: { [shown]: problem.field },
    });
  }
  const [plugin = '', ...keys] = rest;
  const postgres = adapter.kind === 'postgres';
  const json = jsonSql(adapter, keys, postgres ? { node: sql.ref('fact_node_.node') } : {});
  const { test, negated } = planFactTest(condition, sqlBlocks(json, keys.length === 0, adapter));
  const hosts = eb
    .selectFrom('minke_facts as fact_')
    .innerJoin('minke_agents as fact_agent_', 'fact_agent_.id', 'fact_.agent_id')
    // PostgreSQL parses the stored JSON text at each cast, and a test names the value up to five
    // times (its type, then its text or number): the path is read once per row here instead.
    // OFFSET 0 keeps the planner from copying the expression back into each use; rows with the
    // same value also share one reading (the planner memoizes the lateral by its input).
    .$if(postgres, (qb) => qb.crossJoinLateral(pathNode(keys).as('fact_node_')))
    .select('fact_agent_.host_id')
    .where('fact_agent_.host_id', 'is not', null)
    .where('fact_.plugin', '=', plugin)
    .where(() => test);
  const inHosts = inSet(eb, sql.ref(hostIdColumn), hosts, context.sets);
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

/** PostgreSQL: the value at `keys` in `fact_.value`, as one row of one column, `node`. */
function pathNode(keys: readonly string[]): RawBuilder<{ node: unknown }> {
  return sql`(SELECT ((${sql.ref('fact_.value')}::jsonb) #> ${sql.val(keys)}::text[]) AS node OFFSET 0)`;
}

/**
 * @param options.node PostgreSQL: an expression that already holds the value at `keys` (a
 *   lateral's column, see `pathNode`), instead of reading it from `fact_.value` at each use.
 */
export function jsonSql(
  adapter: StoreAdapter,
  keys: readonly string[],
  options: { node?: RawBuilder<unknown> } = {},
): JsonSql {
  const value = sql.ref('fact_.value');
  if (adapter.kind === 'postgres') {
    const node = options.node ?? sql`((${value}::jsonb) #> ${sql.val(keys)}::text[])`;
    // `#>> '{}'` of the node is `#>>` of the path: strings unquoted, the rest as JSON text.
    const text = sql<string>`(${node} #>> '{}')`;
    return {
      exists: sql<SqlBool>`(jsonb_typeof(${node}) <> 'null')`,
      text,
      number: sql<number>`(CASE WHEN jsonb_typeof(${node}) = 'number' THEN ${text}::numeric WHEN jsonb_typeof(${node}) = 'string' AND ${text} ~ '^\\s*-?[0-9]+(\\.[0-9]+)?\\s*$' THEN trim(${text})::numeric END)`,
    };
  }
  // A key of digits is a list index, or the key of that name in an object, as PostgreSQL's `#>`
  // reads it: SQLite's JSON paths say which, so each reading is a path of its own, and at most one
  // of them can resolve in a given document (a value is a list or an object, not both).
  const paths = sqlitePaths(keys).map((path) => sql.val(path));
  const firstOf = (read: (path: RawBuilder<unknown>) => RawBuilder<unknown>) =>
    paths.length === 1
      ? read(paths[0] as RawBuilder<unknown>)
      : sql`COALESCE(${sql.join(paths.map(read))})`;
  const type = firstOf((path) => sql`json_type(${value}, ${path})`);
  const extracted = firstOf((path) => sql`json_extract(${value}, ${path})`);
  // The same numbers as PostgreSQL's: a string counts when it is a decimal number once the white
  // space around it is trimmed (`"12"`, `" 22.04 "`; not `"22.04.1"` nor `"1-2"`). Written as
  // subqueries so that the value is read and trimmed once per row, and trimmed only when it is a
  // string: SQLite computes an expression again at each place it is named (10,000 facts: 22 ms as
  // one expression, 13 ms so).
  const trimmed = sql.ref('fact_trimmed_');
  const decimal = sql<SqlBool>`((${trimmed} GLOB '[0-9]*' OR ${trimmed} GLOB '-[0-9]*') AND substr(${trimmed}, 2) NOT GLOB '*[^0-9.]*' AND ${trimmed} NOT GLOB '*.*.*' AND ${trimmed} NOT GLOB '*.')`;
  const fromText = sql`(SELECT CASE WHEN ${decimal} THEN CAST(${trimmed} AS REAL) END FROM (SELECT trim(fact_read_.x, ' ' || char(9, 10, 11, 12, 13)) AS fact_trimmed_))`;
  const number = sql<number>`(SELECT CASE WHEN fact_read_.t IN ('integer', 'real') THEN fact_read_.x WHEN fact_read_.t = 'text' THEN ${fromText} END FROM (SELECT ${type} AS t, ${extracted} AS x) AS fact_read_)`;
  return {
    exists: sql<SqlBool>`(${type} IS NOT NULL AND ${type} <> 'null')`,
    text: sql<string>`(CASE ${type} WHEN 'true' THEN 'true' WHEN 'false' THEN 'false' ELSE CAST(${extracted} AS TEXT) END)`,
    number,
  };
}

/**
 * Every SQLite JSON path the keys can mean: a key of digits as `[n]` and as `."n"` (at most
 * `MAX_DIGIT_KEYS` of them, so at most 16 paths).
 */
function sqlitePaths(keys: readonly string[]): string[] {
  let paths = ['$'];
  for (const key of keys) {
    const readings = /^\d+$/.test(key) ? [`[${key}]`, `."${key}"`] : [`."${key}"`];
    paths = paths.flatMap((path) => readings.map((reading) => path + reading));
  }
  return paths;
}

const SQL_ORDER: Record<Order, string> = { lt: '<', le: '<=', gt: '>', ge: '>=' };

/** The operator plan's building blocks in SQL, over one JSON path of the database's kind. */
function sqlBlocks(
  json: JsonSql,
  wholeValue: boolean,
  adapter: StoreAdapter,
): FactTestBlocks<RawBuilder<SqlBool>> {
  return {
    present: wholeValue ? sql<SqlBool>`1 = 1` : json.exists,
    never: sql<SqlBool>`1 = 0`,
    equals: (text) => sql<SqlBool>`${json.text} = ${text}`,
    oneOf: (texts) => sql<SqlBool>`${json.text} IN (${sql.join(texts.map((v) => sql.val(v)))})`,
    like: (needle, prefix) => {
      const text = needle.replace(/[\\%_]/g, (c) => `\\${c}`);
      const pattern = prefix ? `${text}%` : `%${text}%`;
      const op = sql.raw(adapter.containsOperator);
      return sql<SqlBool>`${json.text} ${op} ${pattern} ESCAPE '\\'`;
    },
    compareNumber: (order, value) =>
      sql<SqlBool>`${json.number} ${sql.raw(SQL_ORDER[order])} ${value}`,
    compareText: (order, text) => sql<SqlBool>`${json.text} ${sql.raw(SQL_ORDER[order])} ${text}`,
  };
}
