import { hostChanges, hostInput } from '@minke/contract/api/hosts';
import type { RunUser } from '../auth/run-user.js';
import { HOST_MODEL } from '../model/host-model.js';
import { inputErrorOf } from '../util/zod-input-error.js';
import { checkHostName } from './host-names.js';
import type { Project } from './project.js';
import { createRecord, updateRecord } from './record-changes.js';

/**
 * A record added or changed as a person asks for it (the API's record routes, the CLI, an
 * import): hosts through the host operations (name rules, connection config checks as `actor`,
 * groups), every other model through the audited record changes. `part` names the input in an
 * error about a host's fields (`invalid body: port: …`).
 */
/**
 * Whether values pass an add's or a change's checks, as the write would make them, without
 * writing: a model's field checks; for a host, its name rules and (adding) its groups, port and
 * connection config as `actor`.
 */
export async function checkRecord(
  project: Project,
  model: string,
  values: unknown,
  mode: 'add' | 'change',
  actor: RunUser | undefined,
  part = 'body',
): Promise<void> {
  if (model !== HOST_MODEL) {
    project.records.check(model, values, mode === 'add' ? 'create' : 'update');
    return;
  }
  if (mode === 'add') {
    const parsed = hostInput.safeParse(values);
    if (!parsed.success) throw inputErrorOf(parsed.error, part);
    await project.hosts.checkAdd(parsed.data, actor);
    return;
  }
  const parsed = hostChanges.safeParse(values);
  if (!parsed.success) throw inputErrorOf(parsed.error, part);
  if (parsed.data.name !== undefined) checkHostName(parsed.data.name);
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
