import type { ExpressionBuilder } from 'kysely';
import type { Project } from './project.js';
import { SessionClearStore } from '../session-clears/session-clear-store.js';
import type { RunUser } from '../auth/run-user.js';

/**
 * Whose "current session" a list shows: a user's id, or null for the local operator (the CLI
 * without a server). A user's current session on an object is the newest session record they
 * started there, or that nobody started (the operator's CLI runs, schedules), unless they cleared
 * it. The operator's current one is the newest by anyone, unless the operator cleared it.
 */
export type Viewer = number | null;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyEb = ExpressionBuilder<any, any>;

/** The viewer of a run user: the user's id, or null for the operator. */
export function viewerOf(user: RunUser): Viewer {
  return user.id;
}

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

/**
 * Clears the viewer's current session on each of `objectIds`: it (and every older one) no longer
 * shows as theirs in lists; history keeps every record. Answers the number of objects that had a
 * current session to clear.
 */
export async function clearCurrentSessions(
  project: Project,
  model: string,
  objectIds: readonly number[],
  viewer: Viewer,
): Promise<number> {
  const db = project.database.tables;
  const clears = new SessionClearStore(project.database);
  let cleared = 0;
  // In chunks, so that a selection of any size stays within the databases' parameter limits.
  for (let i = 0; i < objectIds.length; i += 500) {
    const chunk = objectIds.slice(i, i + 500);
    const current = await db
      .selectFrom('minke_session_records')
      .select(['id', 'object_id'])
      .where('id', 'in', (eb) => currentRecordIds(eb, model, viewer, chunk))
      .execute();
    await clears.replace(
      model,
      viewer,
      current.map((row) => ({ objectId: row.object_id, clearedUpto: row.id })),
    );
    cleared += current.length;
  }
  return cleared;
}
