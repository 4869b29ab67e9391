import { pluginNameProblem } from '@minke/protocol/names';
import type { Condition, FilterValue } from './filter.js';

/**
 * What each filter operator means on a host's facts (`facts.<plugin>.<keys>`), written once for
 * both sides that decide it: the fact filter's SQL (`fact-filter.ts`, per database) and the
 * in-memory policy check (`policies/match-fact.ts`), which must answer exactly as the SQL does.
 * Each side supplies its building blocks; this plan picks them and coerces the values.
 *
 * A host matches when one of its agents' facts passes the test; `!=` and `is null` are the
 * negation of a positive test, so a host without the fact counts as "not equal". Values compare
 * as text (a JSON number 12 equals "12"); `<`, `<=`, `>`, `>=` with a number compare numerically,
 * reading strings that are decimal numbers as numbers. `~` and `^=` look in the text (the JSON text
 * of a list or an object). `exists` means present and not null.
 */
export interface FactTestBlocks<Test> {
  /** Present and not JSON null; always true when the path names the whole fact (no keys). */
  present: Test;
  /** True for no row. */
  never: Test;
  /** The value's text is `text`. */
  equals(text: string): Test;
  /** The value's text is one of `texts` (never empty). */
  oneOf(texts: readonly string[]): Test;
  /** The value's text contains `needle` (or starts with it), ignoring ASCII case. */
  like(needle: string, prefix: boolean): Test;
  /** The value read as a number stands in `order` to `value`. */
  compareNumber(order: Order, value: number): Test;
  /** The value's text stands in `order` to `text`. */
  compareText(order: Order, text: string): Test;
}

export type Order = 'lt' | 'le' | 'gt' | 'ge';

/** The positive test on one fact row, and whether the condition is its negation. */
export interface FactTest<Test> {
  test: Test;
  negated: boolean;
}

export function planFactTest<Test>(
  condition: Condition,
  blocks: FactTestBlocks<Test>,
): FactTest<Test> {
  const holds = (test: Test): FactTest<Test> => ({ test, negated: false });
  const fails = (test: Test): FactTest<Test> => ({ test, negated: true });
  switch (condition.op) {
    case 'notnull':
      return holds(blocks.present);
    case 'null':
      return fails(blocks.present);
    case 'eq': {
      // `= null` is `is null`.
      const text = textOf(condition.value);
      return text === undefined ? fails(blocks.present) : holds(blocks.equals(text));
    }
    case 'ne': {
      const text = textOf(condition.value);
      return text === undefined ? holds(blocks.present) : fails(blocks.equals(text));
    }
    case 'in': {
      const texts = (condition.values ?? []).filter((v) => v !== null).map(String);
      return holds(texts.length === 0 ? blocks.never : blocks.oneOf(texts));
    }
    case 'contains':
    case 'startswith':
      return holds(blocks.like(String(condition.value ?? ''), condition.op === 'startswith'));
    case 'lt':
    case 'le':
    case 'gt':
    case 'ge': {
      const value = condition.value;
      if (typeof value === 'number') return holds(blocks.compareNumber(condition.op, value));
      const text = textOf(value);
      return holds(text === undefined ? blocks.never : blocks.compareText(condition.op, text));
    }
  }
}

function textOf(value: FilterValue | undefined): string | undefined {
  return value === null || value === undefined ? undefined : String(value);
}

/** What is wrong with a fact path (`rest` is the path after `facts`), for the caller to report. */
export interface FactPathProblem {
  /** Said to the user after `filter "<path>": `. */
  message: string;
  /** The short form for the field's error. */
  field: string;
}

const DIGITS = /^\d+$/;

/**
 * At most this many keys of digits in one fact path: each is a list index or an object key, and
 * SQLite tries both readings, so each doubles the paths it looks at.
 */
export const MAX_DIGIT_KEYS = 4;

/** A key the databases both read: letters, digits, `_` and `-`, not starting with `-`. */
const USABLE_KEY = /^[A-Za-z0-9_][A-Za-z0-9_-]*$/;

export function factPathProblem(rest: readonly string[]): FactPathProblem | undefined {
  const [plugin, ...keys] = rest;
  if (plugin === undefined)
    return { message: 'name a plugin, as in facts.os.release', field: 'no plugin' };
  const problem = pluginNameProblem(plugin);
  if (problem) return { message: problem, field: problem };
  const bad = keys.find((key) => !USABLE_KEY.test(key));
  if (bad !== undefined) return { message: `"${bad}" is not a usable key`, field: 'invalid key' };
  if (keys.filter((key) => DIGITS.test(key)).length > MAX_DIGIT_KEYS)
    return {
      message: `at most ${MAX_DIGIT_KEYS} keys of digits (list indexes) in one path`,
      field: 'too many list indexes',
    };
  return undefined;
}
