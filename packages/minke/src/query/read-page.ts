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
  /**
   * The conditions compute a set over other rows (the current session of every object, for
   * `lastStatus`) rather than test a row: on PostgreSQL they are then tested once for the count
   * and the page together (`readPageAtOnce`). Tests of a row (fields, facts) stay row by row,
   * where a page in list order stops testing once it is full.
   */
  setConditions?: boolean | undefined;
}

/**
 * A page of a model's rows that pass every condition, in the query's order, and how many pass.
 *
 * The count decides the page's plan (on PostgreSQL inside the page's statement, below). Neither database can tell how many rows a
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
  const listOrderFrom = request.listOrderFrom ?? MANY_MATCHES;
  if (kind === 'postgres' && request.setConditions)
    return readPageAtOnce(db, request, listOrderFrom, counted);
  const total = await counted();
  if (offset >= total) return { rows: [], total };
  const rows = await pageIn(total >= listOrderFrom).execute();
  return { rows, total };
}

/** The count each row of `readPageAtOnce` carries; taken off before the rows are returned. */
const TOTAL_COLUMN = '__minke_total';

/**
 * `readPage` on PostgreSQL in one statement that tests set conditions once. Two statements (the
 * count, then the page) each computed the set: for `lastStatus`, the current-session test over
 * every session record of the model, some 20 ms at 100,000 records, paid twice. Here the matching
 * ids are a materialized CTE; the count of it picks one of two branches of a UNION ALL (the other
 * is never run: a one-time filter), each testing a row by a lookup in those ids. An empty page
 * carries no count: then the count is read on its own. Not for tests of a row: materializing
 * 60,000 matches of a fact filter cost more than testing rows in list order until a page is full.
 */
async function readPageAtOnce(
  db: DynamicKysely,
  request: PageRequest,
  listOrderFrom: number,
  counted: () => Promise<number>,
): Promise<{ rows: Record<string, unknown>[]; total: number }> {
  const { model, conditions, limit, offset } = request;
  const id = sql.ref(`${model.table}.id`);
  const matched = db
    .selectFrom(model.table)
    .select(sql`${id}`.as('id'))
    .where((eb) => eb.and(conditions.map((condition) => condition(eb))));
  const total = sql<number>`(select total from minke_counted)`;
  const isMatched = sql<SqlBool>`${id} in (select id from minke_matched)`;
  const pageIn = (listOrder: boolean) => {
    const page = db
      .selectFrom(model.table)
      .selectAll(model.table)
      .select(total.as(TOTAL_COLUMN))
      .where(listOrder ? sql<SqlBool>`CASE WHEN ${isMatched} THEN TRUE ELSE FALSE END` : isMatched);
    return orderRecords(page, model, request.order, 'postgres').limit(limit).offset(offset);
  };
  // A bigint to compare the count with (tests pass Infinity: every page sorted).
  const from = Math.min(listOrderFrom, Number.MAX_SAFE_INTEGER);
  // Only one branch runs, and its rows come out as its ORDER BY put them.
  const { rows } = await sql<Record<string, unknown>>`
    with minke_matched as materialized ${matched},
      minke_counted as (select count(*) as total from minke_matched)
    select * from ${pageIn(true)} as in_list_order where ${total} >= ${from}
    union all
    select * from ${pageIn(false)} as sorted where ${total} < ${from}`.execute(db);
  const first = rows[0];
  if (first === undefined) return { rows: [], total: await counted() };
  const count = Number(first[TOTAL_COLUMN]);
  for (const row of rows) delete row[TOTAL_COLUMN];
  return { rows, total: count };
}
