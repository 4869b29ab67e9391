/** One difference between two versions of a fact, at a dotted path (`os.release`, `tags.0`). */
export interface FactChange {
  /** Keys from the top of the value; empty when the whole value changed kind. */
  path: string[];
  kind: 'added' | 'removed' | 'changed';
  before?: unknown;
  after?: unknown;
}

/** At most this many changes per pair of versions: a fact rewritten wholesale stays readable. */
export const MAX_CHANGES = 200;

/**
 * What changed from `before` to `after`, leaf by leaf: objects compare key by key, lists index
 * by index, anything else by value. A key or an index only on one side is added or removed as a
 * whole; a value that changed kind (a list became an object) is one change at its path.
 *
 * @example
 *   diffFacts({ release: '12', id: 'debian' }, { release: '13', codename: 'trixie' })
 *   // [{ path: ['codename'], kind: 'added', after: 'trixie' },
 *   //  { path: ['id'], kind: 'removed', before: 'debian' },
 *   //  { path: ['release'], kind: 'changed', before: '12', after: '13' }]
 */
export function diffFacts(before: unknown, after: unknown, limit = MAX_CHANGES): FactChange[] {
  const changes: FactChange[] = [];
  walk(before, after, [], changes, limit);
  return changes;
}

function walk(
  before: unknown,
  after: unknown,
  path: string[],
  out: FactChange[],
  limit: number,
): void {
  if (out.length >= limit) return;
  if (isObject(before) && isObject(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    for (const key of keys) child(before, after, key, [...path, key], out, limit);
    return;
  }
  if (Array.isArray(before) && Array.isArray(after)) {
    const length = Math.max(before.length, after.length);
    for (let i = 0; i < length; i++) child(before, after, i, [...path, String(i)], out, limit);
    return;
  }
  if (!sameValue(before, after)) out.push({ path, kind: 'changed', before, after });
}

function child(
  before: Record<string, unknown> | unknown[],
  after: Record<string, unknown> | unknown[],
  key: string | number,
  path: string[],
  out: FactChange[],
  limit: number,
): void {
  const inBefore = Object.hasOwn(before, key);
  const inAfter = Object.hasOwn(after, key);
  const was = (before as Record<string | number, unknown>)[key];
  const is = (after as Record<string | number, unknown>)[key];
  if (out.length >= limit) return;
  if (!inAfter) out.push({ path, kind: 'removed', before: was });
  else if (!inBefore) out.push({ path, kind: 'added', after: is });
  else walk(was, is, path, out, limit);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  // Only empty objects and lists reach here as containers (others were walked).
  return JSON.stringify(a) === JSON.stringify(b);
}
