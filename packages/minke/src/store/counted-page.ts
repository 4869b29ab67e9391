import type { SelectQueryBuilder } from 'kysely';

/**
 * One page of what a query matches, with how many rows it matches in all: the page's rows come
 * from `rowsOf(query)` (its columns and order), the count from the query as given.
 */
export async function countedPage<DB, TB extends keyof DB, Row>(
  query: SelectQueryBuilder<DB, TB, object>,
  window: { limit: number; offset: number },
  rowsOf: (query: SelectQueryBuilder<DB, TB, object>) => SelectQueryBuilder<DB, TB, Row>,
): Promise<{ rows: Row[]; total: number }> {
  const [rows, counted] = await Promise.all([
    rowsOf(query).limit(window.limit).offset(window.offset).execute(),
    query.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst(),
  ]);
  // Kysely cannot name the count's column for a query over any tables; it is `n`, as selected.
  const { n } = (counted ?? {}) as { n?: number | string | bigint };
  return { rows, total: Number(n ?? 0) };
}
