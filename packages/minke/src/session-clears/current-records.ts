import type { ExpressionBuilder } from 'kysely';
import type { DatabaseHandle } from '../store/transaction.js';

/**
 * Whose "current session" a list shows: a user's id, or null for the local operator (the CLI
 * without a server). A user's current session on an object is the newest session record they
 * started there, or that nobody started (the operator's CLI runs, schedules), unless they cleared
 * it. The operator's current one is the newest by anyone, unless the operator cleared it.
 */
export type Viewer = number | null;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyEb = ExpressionBuilder<any, any>;

/**
 * A subquery of the ids of the viewer's current session records on `model` (one per object at
 * most), narrowed to `objectIds` when given. Used by the list's `_lastSession` and its
 * `lastStatus` filter alike, so both always agree.
 */
export function currentRecordIds(
  eb: AnyEb,
  model: string,
  viewer: Viewer,
  objectIds?: readonly number[],
) {
  let query = eb
    .selectFrom('minke_session_records as sr')
    .select((inner: AnyEb) => inner.fn.max('sr.id').as('id'))
    .where('sr.model', '=', model);
  if (objectIds !== undefined) query = query.where('sr.object_id', 'in', [...objectIds]);
  if (viewer !== null) {
    query = query.where((w: AnyEb) =>
      w.or([w('sr.user_id', '=', viewer), w('sr.user_id', 'is', null)]),
    );
  }
  // Records up to what the viewer cleared on this object are not current any more.
  query = query.where((w: AnyEb) =>
    w.not(
      w.exists(
        w
          .selectFrom('minke_session_clears as c')
          .select('c.id')
          .where('c.model', '=', model)
          .whereRef('c.object_id', '=', 'sr.object_id')
          .whereRef('c.cleared_upto', '>=', 'sr.id')
          .where('c.user_id', viewer === null ? 'is' : '=', viewer),
      ),
    ),
  );
  return query.groupBy('sr.object_id');
}

/** The viewer's current session records (id and object) on these objects of `model`. */
export async function currentRecordsOf(
  database: DatabaseHandle,
  model: string,
  viewer: Viewer,
  objectIds: readonly number[],
): Promise<{ id: number; objectId: number }[]> {
  const rows = await database.tables
    .selectFrom('minke_session_records')
    .select(['id', 'object_id'])
    .where('id', 'in', (eb) => currentRecordIds(eb, model, viewer, objectIds))
    .execute();
  return rows.map((row) => ({ id: row.id, objectId: row.object_id }));
}
