/**
 * What SQL answers for a value, reproduced in memory: the in-memory policy evaluator must give
 * exactly the database's answer, and where it cannot be sure it says so (`Undecided`) and the
 * database is asked instead.
 */

/** SQL's three-valued truth: NULL is neither true nor false, and `NOT NULL` is NULL. */
export type Truth = boolean | null;

/** Thrown where memory cannot be sure of the database's answer; the database decides then. */
export class Undecided extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'Undecided';
  }
}

/** The database's dialect and whether its text order is the bytes' (SQLite, PostgreSQL's C collations). */
export interface Dialect {
  kind: 'sqlite' | 'postgres';
  bytewiseText: boolean;
}

export function and(values: readonly Truth[]): Truth {
  if (values.includes(false)) return false;
  return values.includes(null) ? null : true;
}

export function or(values: readonly Truth[]): Truth {
  if (values.includes(true)) return true;
  return values.includes(null) ? null : false;
}

export function not(value: Truth): Truth {
  return value === null ? null : !value;
}

/** `a < b` and friends on text, where the database orders text by its bytes (else undecided). */
export function compareText(a: string, b: string, dialect: Dialect): number {
  if (!dialect.bytewiseText) throw new Undecided('text order of this collation');
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

export function ordered(comparison: number, op: 'lt' | 'le' | 'gt' | 'ge'): boolean {
  if (op === 'lt') return comparison < 0;
  if (op === 'le') return comparison <= 0;
  if (op === 'gt') return comparison > 0;
  return comparison >= 0;
}

const ASCII = /^\p{ASCII}*$/u;

/**
 * `LIKE` (SQLite) or `ILIKE` (PostgreSQL) of an escaped needle: a substring or prefix test that
 * ignores case. Both fold ASCII alike; beyond it they differ, so non-ASCII text is undecided.
 */
export function likeText(haystack: string, needle: string, prefix: boolean): boolean {
  if (!ASCII.test(haystack) || !ASCII.test(needle)) throw new Undecided('non-ASCII LIKE');
  const h = haystack.toLowerCase();
  const n = needle.toLowerCase();
  return prefix ? h.startsWith(n) : h.includes(n);
}

/**
 * A number as both databases print it as text: integers as digits; other numbers only when
 * they have 15 significant digits or fewer and no exponent (SQLite prints reals with 15).
 */
export function numberText(value: number): string {
  if (Number.isSafeInteger(value)) return String(value);
  if (plainDecimal(value)) return String(value);
  throw new Undecided('a number the databases print differently');
}

/** True for a finite number that prints without an exponent in 15 significant digits or fewer. */
export function plainDecimal(value: number): boolean {
  if (!Number.isFinite(value)) return false;
  const text = String(value);
  if (/e/i.test(text)) return false;
  return text.replace(/^-/, '').replace('.', '').replace(/^0+/, '').length <= 15;
}

const DECIMAL_NUMBER = /^[ \t\n\r\f\v]*-?[0-9]+(\.[0-9]+)?[ \t\n\r\f\v]*$/;

/**
 * A string fact read as a number, as the fact filter's SQL does on both databases: a string that
 * is a decimal number once the white space around it is trimmed (`"12"`, `" 22.04 "`); anything
 * else (`"22.04.1"`, `"1-2"`) is NULL.
 */
export function numberOfString(text: string): number | null {
  if (!DECIMAL_NUMBER.test(text)) return null;
  return exactNumber(text.trim());
}

/** The number a decimal text spells, when a double holds it exactly enough (15 digits). */
function exactNumber(text: string): number {
  const digits = text.replace(/[^0-9]/g, '').replace(/^0+/, '');
  if (digits.length > 15) throw new Undecided('a number beyond double precision');
  return Number(text);
}
