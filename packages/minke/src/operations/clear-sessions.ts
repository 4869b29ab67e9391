import { requireModelPermission } from '../auth/access.js';
import { NotFoundError } from '../errors.js';
import type { Project } from './project.js';
import type { Filter } from '../query/filter.js';
import { clearCurrentSessions, viewerOf } from './current-session.js';
import type { RunUser } from '../auth/run-user.js';
import { selectObjects } from './start-run.js';

export interface ClearInput {
  model: string;
  ids?: readonly (number | string)[] | undefined;
  where?: string | Filter | undefined;
  all?: boolean | undefined;
  /** Whose current sessions to clear: a user, or the local operator. */
  user: RunUser;
}

/**
 * The original's Clear, shared by the API, the web list and `minke clear`: the user's current
 * session on each selected object stops showing in their lists (and in the `lastStatus` filter).
 * Other users' views and the history are untouched. Needs the model's view permission, as the
 * list does.
 *
 * @example
 *   await clearSessions(project, { model: 'Service', all: true, user })
 *   // => { selected: 3, cleared: 2 }
 */
export async function clearSessions(
  project: Project,
  input: ClearInput,
): Promise<{ selected: number; cleared: number }> {
  if (!project.models.models.has(input.model))
    throw new NotFoundError(`unknown model "${input.model}"`);
  requireModelPermission(input.user, 'view', input.model);
  const ids = await selectObjects(project, input.model, input, input.user);
  const cleared = await clearCurrentSessions(project, input.model, ids, viewerOf(input.user));
  return { selected: ids.length, cleared };
}
