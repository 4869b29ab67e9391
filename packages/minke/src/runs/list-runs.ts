import { InputError, NotFoundError } from '../errors.js';
import type { RunSummary } from '../events/run-events.js';
import { SessionHistory, summarize, type SessionRecordItem } from './history.js';
import type { StateCount } from '@minke/contract';
import type { Database } from '../store/database.js';
import { countedPage } from '../store/counted-page.js';
import type { Page } from '../records/record-repository.js';
import { MAX_PAGE_SIZE } from '../query/paging.js';

/** A run as lists show it: what ran, for whom, and how its session records stand. */
export interface RunItem {
  id: number;
  session: string;
  model: string;
  userId: number | null;
  username: string | null;
  /** running | finished */
  state: string;
  createdAt: string;
  finishedAt: string | null;
  summary: RunSummary;
  /** The saved job it was launched from, if any. */
  jobId: number | null;
  /** The time limit per object it was started with, in ms; null: none. */
  timeoutMs: number | null;
  /** Started with values never stored (secret form fields, run-time connection values). */
  hasSecretValues: boolean;
  /** The time limit of the whole run it was started with, in ms; null: none. */
  runTimeoutMs: number | null;
}

export interface RunDetail extends RunItem {
  /** The form data it ran with (secrets left out when it was stored). */
  data: unknown;
  /** One session record per object, oldest first. */
  sessions: SessionRecordItem[];
}

export interface RunListQuery {
  /** Only the runs of this user (what a user who is not a superuser sees). */
  userId?: number | undefined;
  session?: string | undefined;
  /** Only the launches of this saved job. */
  job?: number | undefined;
  limit?: number | undefined;
  offset?: number | undefined;
}

/** Runs, newest first, with their counters: one query for the page, one for the counters. */
export async function listRuns(
  database: Database,
  query: RunListQuery = {},
): Promise<Page<RunItem>> {
  const limit = query.limit ?? 50;
  const offset = query.offset ?? 0;
  if (!Number.isInteger(limit) || limit < 1) throw new InputError('limit must be at least 1');
  if (!Number.isInteger(offset) || offset < 0) throw new InputError('offset must be at least 0');
  let base = runsOf(database);
  if (query.userId !== undefined) base = base.where('r.user_id', '=', query.userId);
  if (query.session !== undefined) base = base.where('r.session', '=', query.session);
  if (query.job !== undefined) base = base.where('r.job_id', '=', query.job);
  const { rows, total } = await countedPage(
    base,
    { limit: Math.min(limit, MAX_PAGE_SIZE), offset },
    (query) => query.select(RUN_COLUMNS).orderBy('r.id', 'desc'),
  );
  const summaries = await summariesOf(
    database,
    rows.map((row) => Number(row.id)),
  );
  return {
    items: rows.map((row) => toItem(row, summaries.get(Number(row.id)))),
    total,
    limit: Math.min(limit, MAX_PAGE_SIZE),
    offset,
  };
}

/** One run with its session records (all of them, read a page at a time). */
export async function getRun(database: Database, id: number): Promise<RunDetail> {
  const row = await runsOf(database)
    .select([...RUN_COLUMNS, 'r.data'])
    .where('r.id', '=', id)
    .executeTakeFirst();
  if (!row) throw new NotFoundError(`run ${id} does not exist`);
  const history = new SessionHistory(database);
  const sessions: SessionRecordItem[] = [];
  for (let offset = 0, total = 1; offset < total; offset += MAX_PAGE_SIZE) {
    const page = await history.list({ runId: id, limit: MAX_PAGE_SIZE, offset });
    sessions.push(...page.items);
    total = page.total;
  }
  sessions.sort((a, b) => a.id - b.id);
  const summaries = await summariesOf(database, [id]);
  return {
    ...toItem(row, summaries.get(id)),
    data: row.data,
    sessions,
  };
}

/** One run as the runs list shows it, with the counts its summary comes from. */
export async function getRunItem(
  database: Database,
  id: number,
): Promise<{ run: RunItem; counts: StateCount[] }> {
  const row = await runsOf(database).select(RUN_COLUMNS).where('r.id', '=', id).executeTakeFirst();
  if (!row) throw new NotFoundError(`run ${id} does not exist`);
  const counts = (await stateCountsOf(database, [id])).get(id) ?? [];
  return { run: toItem(row, summarize(counts)), counts };
}

/** Who started a run (null for the CLI's local operator); undefined when there is no such run. */
export async function runOwner(
  database: Database,
  id: number,
): Promise<{ userId: number | null } | undefined> {
  const row = await database.tables
    .selectFrom('minke_runs')
    .select('user_id')
    .where('id', '=', id)
    .executeTakeFirst();
  if (!row) return undefined;
  return { userId: row.user_id === null ? null : Number(row.user_id) };
}

const RUN_COLUMNS = [
  'r.id',
  'r.session',
  'r.model',
  'r.user_id',
  'u.username',
  'r.state',
  'r.created_at',
  'r.finished_at',
  'r.job_id',
  'r.timeout_ms',
  'r.has_secret_values',
  'r.run_timeout_ms',
] as const;

function runsOf(database: Database) {
  return database.tables
    .selectFrom('minke_runs as r')
    .leftJoin('minke_users as u', 'u.id', 'r.user_id');
}

async function summariesOf(database: Database, runIds: number[]): Promise<Map<number, RunSummary>> {
  const counts = await stateCountsOf(database, runIds);
  return new Map(runIds.map((id) => [id, summarize(counts.get(id) ?? [])]));
}

/** How many of each run's records are in each (process state, result) pair, in one query. */
export async function stateCountsOf(
  database: Database,
  runIds: readonly number[],
): Promise<Map<number, StateCount[]>> {
  const byRun = new Map<number, StateCount[]>();
  if (runIds.length === 0) return byRun;
  const rows = await database.tables
    .selectFrom('minke_session_records')
    .select([
      'run_id',
      'process_state',
      'result',
      (eb) => eb.fn.countAll<number | string>().as('n'),
    ])
    .where('run_id', 'in', runIds)
    .groupBy(['run_id', 'process_state', 'result'])
    .execute();
  for (const row of rows) {
    const list = byRun.get(Number(row.run_id)) ?? [];
    list.push({ processState: row.process_state, result: row.result, count: Number(row.n) });
    byRun.set(Number(row.run_id), list);
  }
  return byRun;
}

function toItem(row: RunRow, summary: RunSummary | undefined): RunItem {
  return {
    id: Number(row.id),
    session: row.session,
    model: row.model,
    userId: row.user_id === null ? null : Number(row.user_id),
    username: row.username ?? null,
    state: row.state,
    createdAt: row.created_at,
    finishedAt: row.finished_at,
    summary: summary ?? summarize([]),
    jobId: row.job_id === null ? null : Number(row.job_id),
    timeoutMs: row.timeout_ms === null ? null : Number(row.timeout_ms),
    hasSecretValues: row.has_secret_values,
    runTimeoutMs: row.run_timeout_ms === null ? null : Number(row.run_timeout_ms),
  };
}

interface RunRow {
  id: number;
  session: string;
  model: string;
  user_id: number | null;
  username: string | null;
  state: string;
  created_at: string;
  finished_at: string | null;
  job_id: number | null;
  timeout_ms: number | null;
  has_secret_values: boolean;
  run_timeout_ms: number | null;
}
