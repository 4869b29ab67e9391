/** Compares text as people count: `node-2` before `node-10`, case aside. */
const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

function textOf(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value) ?? '';
}

export function naturalCompare(a: unknown, b: unknown): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (a === null || a === undefined) return b === null || b === undefined ? 0 : 1;
  if (b === null || b === undefined) return -1;
  return collator.compare(textOf(a), textOf(b));
}

/**
 * A small list the server returned whole, sorted here by one field (names naturally), as the
 * list's column headers ask. The server's order stays when no field is asked for, or only `id`
 * (react-admin's default, which would undo the server's "newest first").
 */
export function sortedBy<T extends Record<string, unknown>>(
  items: readonly T[],
  sort: { field: string; order: string } | undefined,
): T[] {
  if (!sort?.field || sort.field === 'id') return [...items];
  const direction = sort.order === 'DESC' ? -1 : 1;
  return [...items].sort((a, b) => direction * naturalCompare(a[sort.field], b[sort.field]));
}
