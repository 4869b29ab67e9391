import { pluginNameProblem } from '@minke/protocol/names';
import { InputError } from '../errors.js';

/** A plugin and the keys into the value it reported, checked. */
export interface FactPath {
  plugin: string;
  keys: string[];
  /** The keys as given, dot-separated (`root.used_percent`; empty: the whole value). */
  path: string;
}

/**
 * Checks a plugin name and a dot path into its value. Keys follow the fact filter's rule
 * (letters, digits, `_` and `-`; digits index a list), so a path that works here works in a
 * `--where` on `facts.<plugin>.<path>` too.
 */
export function factPath(plugin: string, path: string | undefined): FactPath {
  const problem = pluginNameProblem(plugin);
  if (problem) throw new InputError(problem, { fields: { plugin: problem } });
  const text = (path ?? '').trim();
  const keys = text === '' ? [] : text.split('.');
  for (const key of keys) {
    if (!/^[A-Za-z0-9_][A-Za-z0-9_-]*$/.test(key)) {
      const reason = `"${key}" is not a usable key (letters, digits, _ and -)`;
      throw new InputError(`path "${text}": ${reason}`, { fields: { path: reason } });
    }
  }
  return { plugin, keys, path: text };
}

const NUMBER = /^\s*-?\d+(\.\d+)?([eE][+-]?\d+)?\s*$/;

/**
 * A fact value as text (as the fact filter reads it: strings bare, numbers as digits) to a
 * number, or undefined when it is not one. Strings that look like numbers count, as they do
 * for `>=` in a filter.
 */
export function numberOf(text: string | null): number | undefined {
  if (text === null || !NUMBER.test(text)) return undefined;
  const value = Number(text);
  return Number.isFinite(value) ? value : undefined;
}
