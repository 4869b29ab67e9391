import type { Field } from '../model/fields.js';
import { Host } from '../model/host-model.js';
import { coerceFromText } from '../model/record-codec.js';
import { FACTS_PATH } from '../query/fact-filter.js';
import { isCondition, type Condition, type Filter, type FilterValue } from '../query/filter.js';
import type { HostState } from './host-state.js';
import { matchFact } from './match-fact.js';
import {
  and,
  compareText,
  likeText,
  not,
  or,
  ordered,
  Undecided,
  type Dialect,
  type Truth,
} from './sql-semantics.js';

/**
 * Whether a host satisfies a `where` filter, decided in memory over its state exactly as the
 * database decides it through `compileFilter` (SQL's three-valued logic included: `not port = 22`
 * is false for a host without a port). `undecided` where memory cannot be sure (a JSON path into
 * `config`, a date, text order under a collation, non-ASCII `~`, a path the database would
 * refuse ...): ask the database then.
 *
 * @example
 *   matchHost(parseWhere('facts.os-release.VERSION_ID >= 12'), state, dialect) // true
 */
export function matchHost(filter: Filter, host: HostState, dialect: Dialect): Truth | 'undecided' {
  try {
    return truth(filter, host, dialect);
  } catch (error) {
    if (error instanceof Undecided) return 'undecided';
    throw error;
  }
}

// Every branch is evaluated, not just until one decides: the database refuses a whole filter
// with a bad path anywhere in it, and the branch that would refuse must get to say so.
function truth(filter: Filter, host: HostState, dialect: Dialect): Truth {
  if (isCondition(filter)) return conditionTruth(filter, host, dialect);
  if ('and' in filter) return and(filter.and.map((f) => truth(f, host, dialect)));
  if ('or' in filter) return or(filter.or.map((f) => truth(f, host, dialect)));
  return not(truth(filter.not, host, dialect));
}

const intField = { kind: 'int', optional: false } as Field;
const textField = { kind: 'text', optional: true } as Field;
const systemKinds: Record<string, Field> = { id: intField };
const hostFields = Host.fields as Record<string, Field | undefined>;

function conditionTruth(condition: Condition, host: HostState, dialect: Dialect): Truth {
  const [head, ...rest] = condition.path;
  if (head === 'groups') return groupsTruth(condition, rest, host, dialect);
  if (head === FACTS_PATH)
    return matchFact(condition, rest, (plugin) => host.facts.get(plugin) ?? [], dialect);
  const field = head === undefined ? undefined : (hostFields[head] ?? systemKinds[head]);
  if (head === undefined || field === undefined || rest.length > 0)
    throw new Undecided('a path memory does not follow');
  return compareValue(host.fields[head], field, condition, dialect);
}

/** `groups.name` / `groups.id`: true when one of the host's groups satisfies the comparison. */
function groupsTruth(
  condition: Condition,
  rest: readonly string[],
  host: HostState,
  dialect: Dialect,
): boolean {
  const attribute = rest[0] ?? 'name';
  if (rest.length > 1 || (attribute !== 'name' && attribute !== 'id'))
    throw new Undecided('the database reports the bad path');
  const field = attribute === 'id' ? intField : textField;
  const results = host.groups.map((group) =>
    compareValue(group[attribute], field, condition, dialect),
  );
  return results.includes(true);
}

/** A comparison of a column's value, as `compareExpression` writes it in SQL. */
function compareValue(value: unknown, field: Field, condition: Condition, dialect: Dialect): Truth {
  const column = columnValue(value, field);
  const encode = (v: FilterValue | undefined) => encodeFilterValue(v, field);
  switch (condition.op) {
    case 'null':
      return column === null;
    case 'notnull':
      return column !== null;
    case 'in': {
      const values = (condition.values ?? []).map(encode);
      if (column === null) return null;
      if (values.some((v) => v !== null && equal(column, v))) return true;
      return values.includes(null) ? null : false;
    }
    case 'contains':
    case 'startswith': {
      if (field.kind === 'bool') throw new Undecided('booleans print differently');
      if (column === null) return null;
      return likeText(String(column), String(condition.value ?? ''), condition.op === 'startswith');
    }
    default: {
      const wanted = encode(condition.value);
      if (wanted === null) return condition.op === 'ne' ? column !== null : column === null;
      if (column === null) return condition.op === 'ne' ? true : null;
      if (condition.op === 'eq') return equal(column, wanted);
      if (condition.op === 'ne') return !equal(column, wanted);
      const comparison =
        typeof column === 'string'
          ? compareText(column, String(wanted), dialect)
          : Number(column) - Number(wanted);
      return ordered(comparison, condition.op);
    }
  }
}

type Scalar = string | number;

/** The column as SQL compares it: text, a number, a boolean as 0/1; NULL as null. */
function columnValue(value: unknown, field: Field): Scalar | null {
  if (value === null || value === undefined) return null;
  if (field.kind === 'bool') return value === true ? 1 : 0;
  if (field.kind === 'int') return Number(value);
  if (field.kind === 'text' && typeof value === 'string') return value;
  throw new Undecided(`a ${field.kind} column`);
}

/** The filter value as `encodeFilterValue` binds it; one the database would refuse is undecided. */
function encodeFilterValue(value: FilterValue | undefined, field: Field): Scalar | null {
  if (value === null || value === undefined) return null;
  const coerced = typeof value === 'string' ? coerceFromText(field, value) : value;
  // '' for an optional field: the database refuses it (it is not a text).
  if (coerced === null) throw new Undecided('a value the database refuses');
  if (field.kind === 'text' && (typeof coerced === 'string' || typeof coerced === 'number'))
    return String(coerced);
  if (field.kind === 'int' && typeof coerced === 'number' && Number.isSafeInteger(coerced))
    return coerced;
  if (field.kind === 'bool' && typeof coerced === 'boolean') return coerced ? 1 : 0;
  throw new Undecided('a value the database binds differently or refuses');
}

function equal(column: Scalar, wanted: Scalar): boolean {
  return typeof column === 'string' ? column === String(wanted) : column === Number(wanted);
}
