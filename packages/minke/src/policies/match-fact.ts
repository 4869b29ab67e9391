import type { Condition } from '../query/filter.js';
import { factPathProblem, planFactTest, type FactTestBlocks } from '../query/fact-operator-plan.js';
import {
  compareText,
  likeText,
  numberOfString,
  numberText,
  ordered,
  plainDecimal,
  Undecided,
  type Dialect,
} from './sql-semantics.js';

type Found = { found: false } | { found: true; value: unknown };

/**
 * A condition on a host's facts (`facts.<plugin>.<keys>`), decided over the host's fact values as
 * the fact filter's SQL decides it (`query/fact-filter.ts`), through the same operator plan
 * (`query/fact-operator-plan.ts`): a host matches when one of its agents' facts passes the test,
 * and `!=` and `is null` are the negation of that. Always true or false (the SQL is
 * `host.id [NOT] IN (...)`).
 */
export function matchFact(
  condition: Condition,
  rest: readonly string[],
  factsOf: (plugin: string) => readonly unknown[],
  dialect: Dialect,
): boolean {
  if (factPathProblem(rest)) throw new Undecided('the database reports the bad path');
  const [plugin = '', ...keys] = rest;
  if (keys.some((key) => /^0\d/.test(key)))
    throw new Undecided('a key the databases read differently');
  const { test, negated } = planFactTest(condition, memoryBlocks(keys.length === 0, dialect));
  let passes = false;
  let undecided: Undecided | undefined;
  for (const value of factsOf(plugin)) {
    try {
      if (test(walk(value, keys))) passes = true;
    } catch (error) {
      if (!(error instanceof Undecided)) throw error;
      undecided = error;
    }
  }
  // One agent's fact passing decides it whatever the others' are.
  if (!passes && undecided) throw undecided;
  return negated ? !passes : passes;
}

/** The value at the keys; a key of digits indexes a list, or is that key of an object. */
function walk(value: unknown, keys: readonly string[]): Found {
  let here = value;
  for (const key of keys) {
    const isObject = typeof here === 'object' && here !== null && !Array.isArray(here);
    if (Array.isArray(here)) {
      if (!/^\d+$/.test(key) || Number(key) >= here.length) return { found: false };
      here = here[Number(key)] as unknown;
    } else {
      if (!isObject || !Object.hasOwn(here as object, key)) return { found: false };
      here = (here as Record<string, unknown>)[key];
    }
  }
  return { found: true, value: here };
}

type RowTest = (found: Found) => boolean;

/** The operator plan's building blocks in memory, answering as the database of `dialect` does. */
function memoryBlocks(wholeValue: boolean, dialect: Dialect): FactTestBlocks<RowTest> {
  return {
    present: (f) => wholeValue || (f.found && f.value !== null),
    never: () => false,
    equals: (text) => (f) => textEquals(f, text),
    oneOf: (texts) => (f) => texts.some((text) => textEquals(f, text)),
    like: (needle, prefix) => (f) => textLike(f, needle, prefix),
    compareNumber: (order, value) => {
      if (!plainDecimal(value)) throw new Undecided('a number beyond double precision');
      return (f) => {
        const n = numberOf(f);
        return n !== null && ordered(n - value, order);
      };
    },
    compareText: (order, wanted) => (f) => {
      const text = scalarText(f);
      return text !== null && ordered(compareText(text, wanted, dialect), order);
    },
  };
}

const isContainer = (value: unknown): value is object =>
  typeof value === 'object' && value !== null;

/** The value as SQL text; lists and objects are printed differently by each database. */
function scalarText(f: Found): string | null {
  if (!f.found || f.value === null) return null;
  const value = f.value;
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') return numberText(value);
  throw new Undecided('the text of a list or an object');
}

function textEquals(f: Found, wanted: string): boolean {
  // A list or object prints as `[...]` or `{...}` in both databases, whatever the spacing.
  if (f.found && isContainer(f.value)) {
    if (/^[[{]/.test(wanted)) throw new Undecided('the text of a list or an object');
    return false;
  }
  const text = scalarText(f);
  return text !== null && text === wanted;
}

/**
 * `~` and `^=` on a list or object look in its JSON text, spaced and ordered differently by
 * SQLite (as stored) and PostgreSQL (jsonb): a needle with no JSON punctuation or space matches
 * inside one key or value, the same in both, so only such needles are decided here.
 */
function textLike(f: Found, needle: string, prefix: boolean): boolean {
  if (!f.found || f.value === null) return false;
  if (!isContainer(f.value)) return likeText(scalarText(f) as string, needle, prefix);
  if (/[\s"{}[\]:,\\]/.test(needle) || !numbersPrintAlike(f.value))
    throw new Undecided('a JSON text the databases print differently');
  return likeText(JSON.stringify(f.value), needle, prefix);
}

function numbersPrintAlike(value: unknown): boolean {
  if (typeof value === 'number') return Number.isSafeInteger(value) || plainDecimal(value);
  if (Array.isArray(value)) return value.every(numbersPrintAlike);
  if (isContainer(value)) return Object.values(value).every(numbersPrintAlike);
  return true;
}

/** The value read as a number, as `query/fact-filter.ts` reads it (a numeric string too). */
function numberOf(f: Found): number | null {
  if (!f.found) return null;
  if (typeof f.value === 'number') {
    if (!Number.isSafeInteger(f.value) && !plainDecimal(f.value))
      throw new Undecided('a number beyond double precision');
    return f.value;
  }
  if (typeof f.value === 'string') return numberOfString(f.value);
  return null;
}
