import {
  sql,
  type Expression,
  type ExpressionBuilder,
  type RawBuilder,
  type SelectQueryBuilder,
  type SqlBool,
} from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyEb = ExpressionBuilder<any, any>;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnySelect = SelectQueryBuilder<any, any, any>;

/**
 * The sets one statement's conditions test rows against (`column IN (SELECT …)`: a ref path, a
 * fact filter, the objects whose current session ended so), each written once as a `MATERIALIZED`
 * CTE. A page and its count in one statement each test the same conditions; without this, each
 * test computed its set again (on PostgreSQL, a hashed subplan per use: 15–20 ms at 100,000
 * records, twice). Equal subqueries (the same tree, the same values) share one set. The
 * subqueries must not refer to the outer row; the ones the filter compiler hands here do not.
 */
export class HoistedSets {
  private readonly sets = new Map<string, { name: string; query: AnySelect }>();

  /** `column IN (subquery)`, the subquery read from its set. */
  in(eb: AnyEb, column: Expression<unknown> | string, subquery: AnySelect): Expression<SqlBool> {
    const key = JSON.stringify(subquery.toOperationNode());
    let set = this.sets.get(key);
    if (!set) {
      set = { name: `minke_set_${this.sets.size}`, query: subquery };
      this.sets.set(key, set);
    }
    return eb(column, 'in', sql`(SELECT v FROM ${sql.table(set.name)})`);
  }

  /** `minke_set_N(v) AS MATERIALIZED (…)` for a WITH list, in the order the sets were met. */
  definitions(): RawBuilder<unknown>[] {
    return [...this.sets.values()].map(
      ({ name, query }) => sql`${sql.table(name)}(v) AS MATERIALIZED ${query}`,
    );
  }
}

/**
 * `column IN (subquery)`: through `sets` when a statement hoists its sets, else as written. For a
 * path's outermost test only; the subqueries inside a hoisted one stay in it.
 */
export function inSet(
  eb: AnyEb,
  column: Expression<unknown> | string,
  subquery: AnySelect,
  sets: HoistedSets | undefined,
): Expression<SqlBool> {
  return sets ? sets.in(eb, column, subquery) : eb(column, 'in', subquery);
}
