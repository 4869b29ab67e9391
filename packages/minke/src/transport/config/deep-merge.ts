/** A plain data object (from YAML, JSON or a literal), as opposed to an array, Date or class. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/**
 * Deep-merges plain objects, later layers winning key by key at every depth. Arrays and scalars
 * are replaced as a whole (a host's `identityFiles` replaces its group's list, it does not extend
 * it), `undefined` never overrides, and no input is modified.
 *
 * @example
 *   deepMerge({ sudo: { user: 'root' }, port: 22 }, { sudo: { password: { env: 'PW' } } })
 *   // => { sudo: { user: 'root', password: { env: 'PW' } }, port: 22 }
 */
export function deepMerge<T extends Record<string, unknown>>(
  ...layers: ReadonlyArray<T | undefined>
): T {
  const result: Record<string, unknown> = {};
  for (const layer of layers) {
    if (layer === undefined) continue;
    for (const [key, value] of Object.entries(layer)) {
      if (value === undefined) continue;
      const current = result[key];
      result[key] =
        isPlainObject(current) && isPlainObject(value) ? deepMerge(current, value) : copy(value);
    }
  }
  return result as T;
}

function copy(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(copy);
  if (isPlainObject(value)) return deepMerge(value);
  return value;
}
