import { sql, type Expression, type ExpressionBuilder, type SqlBool } from 'kysely';
import type { ModelDefinition } from '../model/define-model.js';
import type { DynamicKysely } from '../store/database.js';
import { orderRecords } from './record-query.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyEb = ExpressionBuilder<any, any>;

/** One condition of a records query, built on the model's table. */
export type RowCondition = (eb: AnyEb) => Expression<SqlBool>;

/**
 * From how many matching records a page is read in list order, testing each record, rather than
 * through the conditions' own indexes and then sorted. Sorting costs a natural key per match (a
 * JavaScript call per row on SQLite, two regular expressions on PostgreSQL): 2,000 of them take a
 * few ms; 30,000 took 70-200 ms. Reading in list order costs a test per record passed over, which
 * stays small while the matches are not rare.
 */
export const MANY_MATCHES = 2000;

export interface PageRequest {
  model: ModelDefinition;
  conditions: readonly RowCondition[];
  order: readonly string[] | undefined;
  limit: number;
  offset: number;
  /** MANY_MATCHES unless told (tests read one page both ways). */
  listOrderFrom?: number | undefined;
}

/**
 * A page of a model's rows that pass every condition, in the query's order, and how many pass.
 *
 * The count runs first and decides the page's plan. Neither database can tell how many rows a
 * condition on fact JSON or on the current session keeps (both guess a handful), so both look
 * the matches up through the condition and sort them all for the page, whatever their number.
 * When the count says there are many, the page's conditions go inside a CASE, which no index
 * can serve: the database then reads the table in list order (its natural-key index) and stops
 * once the page is full. Only in the model's own order, which its indexes give.
 */
export async function readPage(
  db: DynamicKysely,
  kind: 'sqlite' | 'postgres',
  request: PageRequest,
): Promise<{ rows: Record<string, unknown>[]; total: number }> {
  const { model, conditions, limit, offset } = request;
  const matching = (eb: AnyEb) => eb.and(conditions.map((condition) => condition(eb)));
  const pageIn = (listOrder: boolean) => {
    const page = db
      .selectFrom(model.table)
      .$if(conditions.length > 0, (qb) =>
        qb.where((eb) =>
          listOrder
            ? sql<SqlBool>`CASE WHEN ${matching(eb)} THEN TRUE ELSE FALSE END`
            : matching(eb),
        ),
      )
      .selectAll(model.table);
    return orderRecords(page, model, request.order, kind).limit(limit).offset(offset);
  };
  const counted = () =>
    db
      .selectFrom(model.table)
      .$if(conditions.length > 0, (qb) => qb.where(matching))
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .executeTakeFirst()
      .then((count) => Number((count as { n?: number | string } | undefined)?.n ?? 0));
  const inModelOrder =
    request.order === undefined ||
    request.order.length === 0 ||
    request.order.join(',') === model.ordering.join(',');
  if (conditions.length === 0 || !inModelOrder) {
    // Nothing to decide: with no condition the page comes off the order's index; in another
    // order (no index gives it) the matches are sorted either way. Count and page at once.
    const [rows, total] = await Promise.all([pageIn(false).execute(), counted()]);
    return { rows, total };
  }
  pageIn(false); // an order naming no field is refused before anything is read
  const total = await counted();
  if (offset >= total) return { rows: [], total };
  const listOrderFrom = request.listOrderFrom ?? MANY_MATCHES;
  const rows = await pageIn(total >= listOrderFrom).execute();
  return { rows, total };
}
