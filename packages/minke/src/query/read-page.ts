import { sql, type Expression, type ExpressionBuilder, type SqlBool } from 'kysely';
import type { ModelDefinition } from '../model/define-model.js';
import type { DynamicKysely } from '../store/database.js';
import { HoistedSets } from './hoisted-sets.js';
import { orderRecords } from './record-query.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyEb = ExpressionBuilder<any, any>;

/**
 * One condition of a records query, built on the model's table. With `sets`, the statement
 * computes each set the condition tests rows against once (see HoistedSets).
 */
export type RowCondition = (eb: AnyEb, sets?: HoistedSets) => Expression<SqlBool>;

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
 * The count decides the page's plan (on PostgreSQL within the page's statement, below). Neither
 * database can tell how many rows a condition on fact JSON or on the current session keeps (both
 * guess a handful), so both look the matches up through the condition and sort them all for the
 * page, whatever their number.
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
  if (kind === 'postgres') return readPageAtOnce(db, request, listOrderFrom, counted);
  const total = await counted();
  if (offset >= total) return { rows: [], total };
  const rows = await pageIn(total >= listOrderFrom).execute();
  return { rows, total };
}

/** The count each row of `readPageAtOnce` carries; taken off before the rows are returned. */
const TOTAL_COLUMN = '__minke_total';

/**
 * `readPage` on PostgreSQL in one statement: the count and the page, each set the conditions test
 * rows against computed once (a ref path's, a fact filter's, `lastStatus`'s; see HoistedSets).
 * Two statements computed each set twice: `lastStatus` took 29 + 20 ms where this takes 35. The
 * count picks one of two branches of a UNION ALL through a one-time filter (the other is never
 * run), list order or sorted, as above. An empty page carries no count: it is then read alone.
 * Not on SQLite: there the same statement was slower than the two (bench api at 100,000
 * records, medians: fact via host 34 -> 150 ms, a one-host ref path 3 -> 18 ms), and a round trip
 * to SQLite costs nothing.
 */
async function readPageAtOnce(
  db: DynamicKysely,
  request: PageRequest,
  listOrderFrom: number,
  counted: () => Promise<number>,
): Promise<{ rows: Record<string, unknown>[]; total: number }> {
  const { model, conditions, limit, offset } = request;
  const sets = new HoistedSets();
  const matching = (eb: AnyEb) => eb.and(conditions.map((condition) => condition(eb, sets)));
  const total = sql<number>`(SELECT total FROM minke_counted)`;
  // Built (and so every set met) before the WITH list is written.
  const counting = db
    .selectFrom(model.table)
    .select(sql`count(*)`.as('total'))
    .where(matching);
  const pageIn = (listOrder: boolean) => {
    const page = db
      .selectFrom(model.table)
      .selectAll(model.table)
      .select(total.as(TOTAL_COLUMN))
      .where((eb) =>
        listOrder ? sql<SqlBool>`CASE WHEN ${matching(eb)} THEN TRUE ELSE FALSE END` : matching(eb),
      );
    return orderRecords(page, model, request.order, 'postgres').limit(limit).offset(offset);
  };
  const [inListOrder, sorted] = [pageIn(true), pageIn(false)];
  const definitions = [...sets.definitions(), sql`minke_counted AS ${counting}`];
  // A bigint to compare the count with (tests pass Infinity: every page sorted).
  const from = Math.min(listOrderFrom, Number.MAX_SAFE_INTEGER);
  // Only one branch runs, and its rows come out as its ORDER BY put them.
  const { rows } = await sql<Record<string, unknown>>`
    WITH ${sql.join(definitions)}
    SELECT * FROM ${inListOrder} AS in_list_order WHERE ${total} >= ${from}
    UNION ALL
    SELECT * FROM ${sorted} AS sorted WHERE ${total} < ${from}`.execute(db);
  const first = rows[0];
  if (first === undefined) return { rows: [], total: await counted() };
  const count = Number(first[TOTAL_COLUMN]);
  for (const row of rows) delete row[TOTAL_COLUMN];
  return { rows, total: count };
}
