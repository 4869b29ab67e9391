import type { Expression, ExpressionBuilder, SqlBool } from 'kysely';
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
 * The test that a session record is one the viewer counts as theirs (started by them or by
 * nobody); none for the operator, who counts every record.
 */
function visibleTo(eb: AnyEb, alias: string, viewer: Viewer): Expression<SqlBool>[] {
  if (viewer === null) return [];
  return [eb.or([eb(`${alias}.user_id`, '=', viewer), eb(`${alias}.user_id`, 'is', null)])];
}

/**
 * Whether the session record `alias` (a `minke_session_records` row of `model`) is the viewer's
 * current one on its object: the viewer counts it as theirs, no newer record on the object is
 * theirs, and they have not cleared it. (If the newest of theirs is cleared, every older one is
 * too: a clear covers the ids up to `cleared_upto`.) A test on one record, so that the database
 * checks only the records it is asked about (a page's objects, the records with some result)
 * through indexes, instead of grouping every record of the model to find each object's newest,
 * which grows with the history.
 */
export function isCurrentRecord(
  eb: AnyEb,
  alias: string,
  model: string,
  viewer: Viewer,
): Expression<SqlBool> {
  const newer = eb
    .selectFrom('minke_session_records as newer_')
    .select('newer_.id')
    .where('newer_.model', '=', model)
    .whereRef('newer_.object_id', '=', `${alias}.object_id`)
    .whereRef('newer_.id', '>', `${alias}.id`)
    .$if(viewer !== null, (qb) => qb.where((w: AnyEb) => w.and(visibleTo(w, 'newer_', viewer))));
  const cleared = eb
    .selectFrom('minke_session_clears as clear_')
    .select('clear_.id')
    .where('clear_.model', '=', model)
    .whereRef('clear_.object_id', '=', `${alias}.object_id`)
    .whereRef('clear_.cleared_upto', '>=', `${alias}.id`)
    .where('clear_.user_id', viewer === null ? 'is' : '=', viewer);
  return eb.and([
    ...visibleTo(eb, alias, viewer),
    eb.not(eb.exists(newer)),
    eb.not(eb.exists(cleared)),
  ]);
}

/**
 * A subquery of the ids of the viewer's current session records on these objects of `model`
 * (one per object at most). The list's `_lastSession` and its `lastStatus` filter both decide
 * with `isCurrentRecord`, so they always agree.
 */
export function currentRecordIds(
  eb: AnyEb,
  model: string,
  viewer: Viewer,
  objectIds: readonly number[],
) {
  return eb
    .selectFrom('minke_session_records as sr')
    .select('sr.id')
    .where('sr.model', '=', model)
    .where('sr.object_id', 'in', [...objectIds])
    .where((w: AnyEb) => isCurrentRecord(w, 'sr', model, viewer));
}

/** The viewer's current session records (id and object) on these objects of `model`. */
export async function currentRecordsOf(
  database: DatabaseHandle,
  model: string,
  viewer: Viewer,
  objectIds: readonly number[],
): Promise<{ id: number; objectId: number }[]> {
  if (objectIds.length === 0) return [];
  const rows = await database.tables
    .selectFrom('minke_session_records')
    .select(['id', 'object_id'])
    .where('id', 'in', (eb) => currentRecordIds(eb, model, viewer, objectIds))
    .execute();
  return rows.map((row) => ({ id: row.id, objectId: row.object_id }));
}
