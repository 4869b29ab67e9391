import { hostChanges, hostInput } from '@minke/contract/api/hosts';
import type { RunUser } from '../auth/run-user.js';
import { HOST_MODEL } from '../model/host-model.js';
import { inputErrorOf } from '../util/zod-input-error.js';
import type { Project } from './project.js';
import { createRecord, updateRecord } from './record-changes.js';

/**
 * A record added or changed as a person asks for it (the API's record routes, the CLI, an
 * import): hosts through the host operations (name rules, connection config checks as `actor`,
 * groups), every other model through the audited record changes. `part` names the input in an
 * error about a host's fields (`invalid body: port: …`).
 */
/** Whether values pass an add's or a change's field checks, as the write would make them. */
export function checkRecord(
  project: Project,
  model: string,
  values: unknown,
  mode: 'add' | 'change',
  part = 'body',
): void {
  if (model !== HOST_MODEL) {
    project.records.check(model, values, mode === 'add' ? 'create' : 'update');
    return;
  }
  const parsed = (mode === 'add' ? hostInput : hostChanges).safeParse(values);
  if (!parsed.success) throw inputErrorOf(parsed.error, part);
}

export async function addRecord(
  project: Project,
  model: string,
  values: unknown,
  actor: RunUser | undefined,
  part = 'body',
): Promise<number> {
  if (model !== HOST_MODEL) return (await createRecord(project, model, values)).id;
  const parsed = hostInput.safeParse(values);
  if (!parsed.success) throw inputErrorOf(parsed.error, part);
  return (await project.hosts.add(parsed.data, actor)).id;
}

export async function changeRecord(
  project: Project,
  model: string,
  id: number,
  values: unknown,
  actor: RunUser | undefined,
  part = 'body',
): Promise<void> {
  if (model !== HOST_MODEL) {
    await updateRecord(project, model, id, values);
    return;
  }
  const parsed = hostChanges.safeParse(values);
  if (!parsed.success) throw inputErrorOf(parsed.error, part);
  const host = await project.records.get(HOST_MODEL, id);
  await project.hosts.update(String(host['name']), parsed.data, actor);
}
