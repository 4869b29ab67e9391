/** `last_seen_at` → `lastSeenAt`, at the type level. */
export type CamelCase<S extends string> = S extends `${infer Head}_${infer Tail}`
  ? `${Head}${Capitalize<CamelCase<Tail>>}`
  : S;

/** A row with its snake_case column names in camelCase, values untouched. */
export type CamelRow<Row> = { [K in keyof Row & string as CamelCase<K>]: Row[K] };

/**
 * A database row as the record the API and CLI show: the same values under camelCase names. For
 * stores whose record is their row renamed; values that need more than a new name (a flag from a
 * hash, JSON to a list) are set beside it.
 *
 * @example
 *   camelRow({ id: 1, user_id: 7, last_used: null }); // { id: 1, userId: 7, lastUsed: null }
 */
export function camelRow<Row extends object>(row: Row): CamelRow<Row> {
  const entries = Object.entries(row).map(([key, value]) => [
    key.replace(/_([a-z0-9])/g, (_match, letter: string) => letter.toUpperCase()),
    value as unknown,
  ]);
  return Object.fromEntries(entries) as CamelRow<Row>;
}
