/** A key the fact paths of the API accept (as the `--where` language does). */
const KEY = /^[A-Za-z0-9_][A-Za-z0-9_-]*$/;
const NUMBER = /^\s*-?\d+(\.\d+)?([eE][+-]?\d+)?\s*$/;

/**
 * The dot paths in a fact value that hold a number (or a string that reads as one, as the
 * series API counts them), in document order, at most `max`: the choices of a host's chart.
 *
 * @example
 *   numericPaths({ root: { used_percent: 41, mount: '/' }, load: ['0.5', 'x'] });
 *   // ['root.used_percent', 'load.0']
 */
export function numericPaths(value: unknown, max = 200): string[] {
  const found: string[] = [];
  const walk = (node: unknown, path: string[], depth: number): void => {
    if (found.length >= max) return;
    if (typeof node === 'number' || (typeof node === 'string' && NUMBER.test(node))) {
      found.push(path.join('.'));
      return;
    }
    if (depth >= 8 || node === null || typeof node !== 'object') return;
    const entries = Array.isArray(node)
      ? node.map((item, index): [string, unknown] => [String(index), item])
      : Object.entries(node);
    for (const [key, child] of entries) if (KEY.test(key)) walk(child, [...path, key], depth + 1);
  };
  walk(value, [], 0);
  return found;
}
