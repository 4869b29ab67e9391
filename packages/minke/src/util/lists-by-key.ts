/**
 * Gathers values into one list per key, in the order they come (so a query's ORDER BY holds
 * within each list). Node 20 has no `Map.groupBy`; and appending in place keeps a group of
 * 10,000 members linear, where copying the list on every row was quadratic.
 */
export function listsByKey<Row, Key, Value>(
  rows: Iterable<Row>,
  keyOf: (row: Row) => Key,
  valueOf: (row: Row) => Value,
  into = new Map<Key, Value[]>(),
): Map<Key, Value[]> {
  for (const row of rows) {
    const key = keyOf(row);
    const list = into.get(key);
    if (list) list.push(valueOf(row));
    else into.set(key, [valueOf(row)]);
  }
  return into;
}
