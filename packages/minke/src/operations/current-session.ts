import type { Project } from './project.js';
import { currentRecordsOf, type Viewer } from '../session-clears/current-records.js';
import { SessionClearStore } from '../session-clears/session-clear-store.js';
import type { RunUser } from '../auth/run-user.js';

export type { Viewer };

/** The viewer of a run user: the user's id, or null for the operator. */
export function viewerOf(user: RunUser): Viewer {
  return user.id;
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
  const clears = new SessionClearStore(project.database);
  let cleared = 0;
  // In chunks, so that a selection of any size stays within the databases' parameter limits.
  for (let i = 0; i < objectIds.length; i += 500) {
    const chunk = objectIds.slice(i, i + 500);
    const current = await currentRecordsOf(project.database, model, viewer, chunk);
    await clears.replace(
      model,
      viewer,
      current.map((row) => ({ objectId: row.objectId, clearedUpto: row.id })),
    );
    cleared += current.length;
  }
  return cleared;
}
