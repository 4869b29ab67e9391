import type { BatchPolicy } from '@minke/contract';
import { timeLimitProblem } from '@minke/contract/time-limit';
import { mayOnModel, modelPermission } from '../auth/access.js';
import { InputError, NotFoundError, PermissionDenied } from '../errors.js';
import type { Executor, HostBatch, RunPlan } from '../executor/executor.js';
import type { EventBus } from '../events/event-bus.js';
import { resolveHosts } from '../model/host-lookup.js';
import { HOST_MODEL } from '../model/host-model.js';
import type { RecordValues } from '../model/record-codec.js';
import type { Project } from './project.js';
import { andFilters, type Filter } from '../query/filter.js';
import { parseWhere } from '../query/parse-where.js';
import type { SessionInfo } from '../session/session-registry.js';
import type { RunStore } from '../runs/run-store.js';
import { filterVisibleTo } from './filter-visibility.js';
import { recordLabels } from './record-labels.js';
import { runTimeConnection } from './run-time-connection.js';
import { splitSecretValues } from '../session/form-meta.js';
import { RunJournal } from '../runs/run-journal.js';

import { localOperator, type RunUser } from '../auth/run-user.js';
// Who runs is an auth concept; kept importable from here for callers of startRun.
export { localOperator, type RunUser } from '../auth/run-user.js';

export interface StartRunInput {
  session: string;
  model?: string | undefined;
  /** Record ids; for hosts, names work too. */
  ids?: readonly (number | string)[] | undefined;
  where?: string | Filter | undefined;
  all?: boolean | undefined;
  /** A page of the selection, in id order (the original's `-o/-l`): skip this many... */
  offset?: number | undefined;
  /** ...then take at most this many. */
  limit?: number | undefined;
  data?: Record<string, unknown> | undefined;
  /** Run-time connection values (the last layer), for this run only; never stored. */
  connection?: Record<string, unknown> | undefined;
  user?: RunUser | undefined;
  /** Roll out in batches with a failure budget (see src/rollout/). */
  batch?: BatchPolicy | undefined;
  /** The saved job this run is a launch of (src/jobs/). */
  jobId?: number | undefined;
  /**
   * A time limit per object in ms: past it a session is stopped, its command killed, and it
   * fails. With the session class's own limit, the shorter counts. Kept with the run.
   */
  timeoutMs?: number | undefined;
  /**
   * A time limit for the whole run in ms, from its start: when it ends, sessions not started are
   * canceled and running ones stopped, their commands killed (they fail). Kept with the run.
   */
  runTimeoutMs?: number | undefined;
}

export interface StartedRun {
  runId: number;
  session: SessionInfo;
  model: string;
  records: {
    recordId: number;
    objectId: number;
    objectLabel: string;
    hostName: string | null;
    canceled?: string;
  }[];
}

/**
 * Checks form values whose choices come from the CMDB against the choices computed again for
 * the selection (src/choices/); throws an InputError naming the field. The wiring (runtime/)
 * hands it in, because the choices read facts and records above this layer.
 */
export type ChoiceCheck = (
  session: SessionInfo,
  model: string,
  ids: readonly number[],
  data: Readonly<Record<string, unknown>>,
) => Promise<void>;

export interface RunServices {
  project: Project;
  runs: RunStore;
  executor: Executor;
  bus: EventBus;
  checkChoices: ChoiceCheck;
}

/**
 * The one way a run starts, shared by the CLI, the API and the UI: check the session, the model,
 * the permissions (run, and view on the model), the selection (only records the user may view),
 * then the form data; resolve the objects and their hosts; write a session record
 * per object; cancel at once those whose host is disabled or missing; hand the rest to the
 * executor, one batch per host.
 */
export async function startRun(services: RunServices, input: StartRunInput): Promise<StartedRun> {
  const { project, runs, executor, bus } = services;
  const session = sessionOf(project, input.session);
  const user = input.user ?? localOperator;
  checkPermission(session, user);
  const model = modelOf(session, input.model);
  checkViewPermission(session, model, user);
  checkTimeLimit(input.timeoutMs, 'timeoutMs');
  checkTimeLimit(input.runTimeoutMs, 'runTimeoutMs');
  const selected = await selectObjects(project, model, input, user);
  if (selected.length === 0) throw new InputError('the selection is empty: no object matches');
  const ids = pageOfSelection(selected, input);
  if (ids.length === 0)
    throw new InputError(
      `the selection is empty: ${selected.length} object(s) match, none at offset ${input.offset ?? 0}`,
    );
  // After the selection: with nothing to run on, the form's mistakes are not the news.
  // Form fields marked as connection values leave the data: never stored, logged or audited.
  const { data, connection } = runTimeConnection(
    session,
    parseFormData(session, input.data ?? {}),
    input.connection,
    user,
    executor,
  );
  // Choices from the CMDB are computed again for this selection: a stale or forged value fails.
  await services.checkChoices(session, model, ids, data);
  // A user who may not view hosts runs on them without learning their names.
  const showsHosts = mayOnModel(user, 'view', HOST_MODEL);

  const objects = await loadObjects(project, model, ids);
  const hosts = await resolveHosts(project.database, project.models, model, ids);
  const hostRecords = await loadHosts(
    project,
    [...hosts.values()].flatMap((h) => ('hostId' in h ? [h.hostId] : [])),
  );

  // Named as the starting user's lists name them: the history keeps this label, and shows it to
  // that user (and to superusers), so it holds nothing they may not view.
  const labels = await recordLabels(project, model, [...objects.values()], (target) =>
    mayOnModel(user, 'view', target),
  );
  const labelOf = (id: number) => labels.get(id) ?? `${model} #${id}`;
  const planned = ids.map((id) => {
    const object = objects.get(id) as RecordValues;
    const resolved = hosts.get(id);
    const host = resolved && 'hostId' in resolved ? hostRecords.get(resolved.hostId) : undefined;
    let canceled: string | undefined;
    if (!resolved || 'error' in resolved)
      canceled = `${labelOf(id)}: ${resolved && 'error' in resolved ? resolved.error : 'reaches no host'}`;
    else if (host?.['disabled'])
      canceled = `${labelOf(id)}: ${showsHosts ? `host ${String(host['name'])}` : 'its host'} is disabled`;
    return { id, object, host, canceled };
  });

  // Secret form values and the run-time layer live only in memory (and sealed in queued jobs):
  // the run says it had them, so that a batch queued again without them is not run without them.
  const { clear } = splitSecretValues(session, data);
  const hasSecretValues =
    connection !== undefined || Object.keys(clear).length < Object.keys(data).length;
  const journal = new RunJournal(runs, bus);
  const { runId, recordIds } = await journal.runCreated(
    {
      session: session.name,
      verboseName: session.verboseName,
      model,
      userId: user.id,
      jobId: input.jobId ?? null,
      data: clear,
      hasSecretValues,
      timeoutMs: input.timeoutMs ?? null,
      runTimeoutMs: input.runTimeoutMs ?? null,
      records: planned.map((p) => ({
        objectId: p.id,
        objectLabel: labelOf(p.id),
        hostId: p.host ? p.host.id : null,
        hostName: p.host ? String(p.host['name']) : null,
      })),
    },
    (runId) => ({
      action: 'run.start',
      targetType: 'run',
      targetId: runId,
      targetName: session.name,
      after: {
        session: session.name,
        model,
        objects: ids,
        data: clear,
        ...(input.timeoutMs === undefined ? {} : { timeoutMs: input.timeoutMs }),
        ...(input.runTimeoutMs === undefined ? {} : { runTimeoutMs: input.runTimeoutMs }),
      },
    }),
  );

  const batches = new Map<number, HostBatch>();
  const records: StartedRun['records'] = [];
  for (const [index, p] of planned.entries()) {
    const recordId = recordIds[index] as number;
    const label = labelOf(p.id);
    const hostName = p.host ? String(p.host['name']) : null;
    records.push({
      recordId,
      objectId: p.id,
      objectLabel: label,
      hostName: showsHosts ? hostName : null,
      ...(p.canceled ? { canceled: p.canceled } : {}),
    });
    if (p.canceled || !p.host) {
      const ref = { runId, recordId, objectId: p.id, objectLabel: label, hostName };
      await journal.cancelWaiting(ref, p.canceled ?? 'reaches no host');
      continue;
    }
    const batch = batches.get(p.host.id) ?? {
      hostId: p.host.id,
      hostName: String(p.host['name']),
      jobs: [],
    };
    batch.jobs.push({ recordId, objectId: p.id, objectLabel: label });
    batches.set(p.host.id, batch);
  }
  const plan: RunPlan = {
    runId,
    session,
    model,
    data,
    batches: [...batches.values()],
    connection,
    rollout: input.batch,
    timeoutMs: input.timeoutMs,
    runLimit:
      input.runTimeoutMs === undefined
        ? undefined
        : { ms: input.runTimeoutMs, endsAt: Date.now() + input.runTimeoutMs },
  };
  executor.submit(plan);
  return { runId, session, model, records };
}

function sessionOf(project: Project, name: string): SessionInfo {
  const info = project.sessions.sessions.get(name);
  if (!info) {
    const known = [...project.sessions.sessions.keys()].join(', ') || 'none';
    throw new NotFoundError(`unknown session "${name}" (known: ${known})`);
  }
  return info;
}

/** A run's time limit is what a timer can wait (the API's schema says so too; the CLI's does not). */
function checkTimeLimit(ms: number | undefined, field: 'timeoutMs' | 'runTimeoutMs'): void {
  const problem = ms === undefined ? undefined : timeLimitProblem(ms, field);
  if (problem) throw new InputError(problem, { fields: { [field]: problem } });
}

function checkPermission(session: SessionInfo, user: RunUser): void {
  if (user.isSuperuser) return;
  const missing = session.permissions.filter((p) => !user.permissions.has(p));
  if (missing.length > 0) {
    throw new PermissionDenied(
      `you may not run ${session.name}: it needs the permission(s) ${missing.join(', ')}`,
    );
  }
}

/** Running a session on records is a way to look at them: it needs their view permission too. */
function checkViewPermission(session: SessionInfo, model: string, user: RunUser): void {
  if (mayOnModel(user, 'view', model)) return;
  const codename = modelPermission('view', model);
  throw new PermissionDenied(
    `you may not run ${session.name} on ${model}: it needs the permission ${codename} as well`,
  );
}

function modelOf(session: SessionInfo, requested: string | undefined): string {
  if (requested !== undefined) {
    if (!session.models.includes(requested)) {
      throw new InputError(
        `${session.name} does not work on ${requested}: it works on ${session.models.join(', ')}`,
        {
          fields: { model: 'not in workOn' },
        },
      );
    }
    return requested;
  }
  if (session.models.length === 1) return session.models[0] as string;
  throw new InputError(
    `${session.name} works on ${session.models.join(', ')}: name one with --model`,
    { fields: { model: 'required' } },
  );
}

function parseFormData(
  session: SessionInfo,
  data: Record<string, unknown>,
): Record<string, unknown> {
  const form = session.cls.form;
  if (!form) return {};
  const parsed = form.safeParse(data);
  if (parsed.success) return (parsed.data ?? {}) as Record<string, unknown>;
  const fields: Record<string, string> = {};
  for (const issue of parsed.error.issues) {
    const key =
      issue.code === 'unrecognized_keys' ? issue.keys.join(', ') : issue.path.join('.') || '(form)';
    fields[key] = issue.code === 'unrecognized_keys' ? 'not a field of this form' : issue.message;
  }
  const summary = Object.entries(fields)
    .map(([field, reason]) => `${field}: ${reason}`)
    .join('; ');
  throw new InputError(`invalid form data for ${session.name}: ${summary}`, { fields });
}

/** The ids of the objects `input` selects (exactly one of ids, where, all), as `user` may see them. */
export async function selectObjects(
  project: Project,
  model: string,
  input: Pick<StartRunInput, 'ids' | 'where' | 'all'>,
  user: RunUser,
): Promise<number[]> {
  const chosen = [input.ids !== undefined, input.where !== undefined, input.all === true].filter(
    Boolean,
  ).length;
  if (chosen !== 1) throw new InputError('select objects with exactly one of: ids, where, all');
  if (input.ids !== undefined) return idsOf(project, model, input.ids);
  const filter =
    input.where === undefined
      ? undefined
      : typeof input.where === 'string'
        ? parseWhere(input.where)
        : input.where;
  // A filter on what the user may not see answers as one that matches nothing: no oracle.
  if (!filterVisibleTo(user, project.models, model, filter)) return [];
  return project.records.ids(model, { filter: andFilters(filter) });
}

/** The page the input asks for, in id order so that the same offset means the same objects. */
function pageOfSelection(ids: number[], input: StartRunInput): number[] {
  if (input.offset === undefined && input.limit === undefined) return ids;
  const start = input.offset ?? 0;
  const sorted = [...ids].sort((a, b) => a - b);
  return sorted.slice(start, input.limit === undefined ? undefined : start + input.limit);
}

async function idsOf(
  project: Project,
  model: string,
  given: readonly (number | string)[],
): Promise<number[]> {
  const ids: number[] = [];
  for (const value of given) {
    if (typeof value === 'number' || /^\d+$/.test(value)) {
      const id = Number(value);
      await project.records.get(model, id); // NotFoundError names the missing one
      ids.push(id);
    } else if (model === HOST_MODEL) {
      const host = await project.records.findBy(HOST_MODEL, 'name', value);
      if (!host) throw new NotFoundError(`host ${value} does not exist`);
      ids.push(host.id);
    } else {
      throw new InputError(`"${value}" is not a record id of ${model}`);
    }
  }
  return [...new Set(ids)];
}

async function loadObjects(
  project: Project,
  model: string,
  ids: number[],
): Promise<Map<number, RecordValues>> {
  const out = new Map<number, RecordValues>();
  for (let i = 0; i < ids.length; i += 500) {
    const chunk = ids.slice(i, i + 500);
    const page = await project.records.list(model, {
      filter: { path: ['id'], op: 'in', values: chunk },
      limit: chunk.length,
    });
    for (const record of page.items) out.set(record.id, record);
  }
  return out;
}

async function loadHosts(project: Project, hostIds: number[]): Promise<Map<number, RecordValues>> {
  return loadObjects(project, HOST_MODEL, [...new Set(hostIds)]);
}
