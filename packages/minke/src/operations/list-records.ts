import type { ExpressionBuilder } from 'kysely';
import { InputError } from '../errors.js';
import type { ModelDefinition } from '../model/define-model.js';
import { HOST_MODEL } from '../model/host-model.js';
import { decodeRow, type RecordValues } from '../model/record-codec.js';
import type { Project } from './project.js';
import { compileFilter } from '../query/compile-filter.js';
import { inSet } from '../query/hoisted-sets.js';
import { recordConditions } from '../query/record-query.js';
import { readPage, type RowCondition } from '../query/read-page.js';
import type { ProcessState, SessionResult } from '../session/status.js';
import { SESSION_RESULTS } from '../session/status.js';
import type { ListQuery, Page } from '../records/record-repository.js';
import { MAX_PAGE_SIZE, pageLimit, pageOffset } from '../query/paging.js';
import {
  currentRecordIds,
  isCurrentRecord,
  type Viewer,
} from '../session-clears/current-records.js';
import { recordLabels, recordsById, type MayView } from './record-labels.js';

/** The viewer's current session on a record (see `currentRecordIds`), as lists show it. */
export interface LastSession {
  id: number;
  runId: number;
  session: string;
  processState: ProcessState;
  result: SessionResult | null;
  createdAt: string;
  finishedAt: string | null;
}

/** A record as the admin lists it: its fields, a label, its last session; hosts with groups. */
export type RecordView = RecordValues & {
  _label: string;
  _lastSession: LastSession | null;
  groups?: string[];
};

export interface RecordListQuery extends ListQuery {
  /** Only records whose current session (the viewer's) ended with this result (or one of these). */
  lastStatus?: string | readonly string[] | undefined;
  /** Whose current sessions: a user's id; null or absent for the local operator (anyone's). */
  viewer?: Viewer | undefined;
  /** Which models the reader may view: labels follow refs only into those (all when absent). */
  mayView?: MayView | undefined;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyEb = ExpressionBuilder<any, any>;

/**
 * A page of any model's records for the admin: the record repository's filter, search, order and
 * paging (`readPage`), plus the `lastStatus` filter (the objects whose current session record, the
 * viewer's, ended so) and, per page, one query for the current sessions (and one for host groups).
 */
export async function listRecords(
  project: Project,
  modelName: string,
  query: RecordListQuery = {},
): Promise<Page<RecordView>> {
  const model = project.models.get(modelName);
  const page = await readRecords(project, model, query);
  const items = await viewsOf(project, model, page.items, query.viewer ?? null, query.mayView);
  return { ...page, items };
}

/** A record with a host's groups: what an export writes (no label, no current session). */
export type RecordRow = RecordValues & { groups?: string[] };

/** The same page as `listRecords`, without the labels and sessions an export does not write. */
export async function listRecordRows(
  project: Project,
  modelName: string,
  query: RecordListQuery = {},
): Promise<Page<RecordRow>> {
  const model = project.models.get(modelName);
  const page = await readRecords(project, model, query);
  const groups = await groupsOfHosts(project, model, page.items);
  return { ...page, items: page.items.map((record) => withGroups(record, groups)) };
}

async function readRecords(
  project: Project,
  model: ModelDefinition,
  query: RecordListQuery,
): Promise<Page<RecordValues>> {
  const limit = pageLimit(query.limit);
  const offset = pageOffset(query.offset);
  const { rows, total } = await readPage(project.database.db, project.database.adapter.kind, {
    model,
    conditions: conditionsOf(project, model, query),
    order: query.order,
    limit,
    offset,
  });
  const items = rows.map((row) => decodeRow(model, row, project.database.adapter));
  return { items, total, limit, offset };
}

/** Each host's groups (one query); undefined for any other model. */
function groupsOfHosts(
  project: Project,
  model: ModelDefinition,
  records: readonly RecordValues[],
): Promise<Map<number, string[]> | undefined> {
  if (model.name !== HOST_MODEL) return Promise.resolve(undefined);
  return project.hosts.groupsOf(records.map((r) => r.id));
}

function withGroups(record: RecordValues, groups: Map<number, string[]> | undefined): RecordRow {
  return groups ? { ...record, groups: groups.get(record.id) ?? [] } : record;
}

/** One record as the admin shows it. */
export async function getRecordView(
  project: Project,
  modelName: string,
  id: number,
  viewer: Viewer = null,
  mayView?: MayView,
): Promise<RecordView> {
  const model = project.models.get(modelName);
  const record = await project.records.get(modelName, id);
  const [view] = await viewsOf(project, model, [record], viewer, mayView);
  return view as RecordView;
}

/**
 * Records by id as the admin shows them, in no set order; an id that does not exist is left out.
 * A thousand a query, however many ids.
 */
export async function recordViewsById(
  project: Project,
  modelName: string,
  ids: readonly number[],
  viewer: Viewer = null,
  mayView?: MayView,
): Promise<RecordView[]> {
  const model = project.models.get(modelName);
  const records = [...(await recordsById(project, modelName, ids)).values()];
  const views: RecordView[] = [];
  for (let from = 0; from < records.length; from += MAX_PAGE_SIZE)
    views.push(
      ...(await viewsOf(
        project,
        model,
        records.slice(from, from + MAX_PAGE_SIZE),
        viewer,
        mayView,
      )),
    );
  return views;
}

/** The viewer's current session record of each of `ids` (a record of `model`), in one query. */
export async function lastSessions(
  project: Project,
  model: string,
  ids: readonly number[],
  viewer: Viewer = null,
): Promise<Map<number, LastSession>> {
  const out = new Map<number, LastSession>();
  if (ids.length === 0) return out;
  const rows = await project.database.tables
    .selectFrom('minke_session_records')
    .select([
      'id',
      'run_id',
      'session',
      'object_id',
      'process_state',
      'result',
      'created_at',
      'finished_at',
    ])
    .where('id', 'in', (eb) => currentRecordIds(eb, model, viewer, ids))
    .execute();
  for (const row of rows) {
    out.set(row.object_id, {
      id: row.id,
      runId: row.run_id,
      session: row.session,
      processState: row.process_state,
      result: row.result ?? null,
      createdAt: row.created_at,
      finishedAt: row.finished_at,
    });
  }
  return out;
}

async function viewsOf(
  project: Project,
  model: ModelDefinition,
  records: RecordValues[],
  viewer: Viewer,
  mayView: MayView | undefined,
): Promise<RecordView[]> {
  const ids = records.map((r) => r.id);
  const [last, groups, labels] = await Promise.all([
    lastSessions(project, model.name, ids, viewer),
    groupsOfHosts(project, model, records),
    recordLabels(project, model.name, records, mayView),
  ]);
  return records.map((record) => ({
    ...withGroups(record, groups),
    _label: labels.get(record.id) ?? `${model.name} #${record.id}`,
    _lastSession: last.get(record.id) ?? null,
  }));
}

function conditionsOf(
  project: Project,
  model: ModelDefinition,
  query: RecordListQuery,
): RowCondition[] {
  const context = { registry: project.models, adapter: project.database.adapter };
  const conditions: RowCondition[] = recordConditions(model, query).map(
    (condition) => (eb, sets) => compileFilter(eb, model, condition, { ...context, sets }),
  );
  if (query.lastStatus !== undefined) {
    const statuses = checkLastStatus(query.lastStatus);
    // The viewer's current session, as `_lastSession` shows it: a cleared one matches nothing.
    // Only the records that ended so are tested for being current (an index on model and
    // result finds them), not every record of the model.
    const viewer = query.viewer ?? null;
    conditions.push((eb: AnyEb, sets) =>
      inSet(
        eb,
        `${model.table}.id`,
        eb
          .selectFrom('minke_session_records as sr')
          .select('sr.object_id')
          .where('sr.model', '=', model.name)
          .where('sr.result', 'in', statuses)
          .where((inner: AnyEb) => isCurrentRecord(inner, 'sr', model.name, viewer)),
        sets,
      ),
    );
  }
  return conditions;
}

function checkLastStatus(value: string | readonly string[]): SessionResult[] {
  const values = (typeof value === 'string' ? [value] : value).flatMap((v) => v.split(','));
  const statuses = values.map((v) => v.trim()).filter((v) => v !== '');
  const wrong = statuses.filter((v) => !(SESSION_RESULTS as readonly string[]).includes(v));
  if (statuses.length === 0 || wrong.length > 0) {
    throw new InputError(`lastStatus "${wrong.join(',')}": use ${SESSION_RESULTS.join(', ')}`, {
      fields: { lastStatus: `one or more of ${SESSION_RESULTS.join(', ')}` },
    });
  }
  return statuses as SessionResult[];
}
