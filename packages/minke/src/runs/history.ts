import type { RunSummary, SessionOutcome, StateCount, StatusFilter } from '@minke/contract';
import { procInfo, summarize } from '@minke/contract/run-summary';
import { STATUS_FILTERS } from '@minke/contract/states';
import { InputError, NotFoundError } from '../errors.js';
import type { MessageKind, MessageLevel } from '../session/messages.js';
import {
  DONE_STATES,
  PROCESS_STATES,
  SESSION_RESULTS,
  type ProcessState,
  type SessionResult,
} from '../session/status.js';
import type { Database } from '../store/database.js';
import { countedPage } from '../store/counted-page.js';
import type { MinkeKysely } from '../store/minke-kysely.js';
import type { Selectable } from 'kysely';
import type { CommandsTable, MessagesTable, SessionRecordsTable } from '../store/minke-tables.js';
import type { Page } from '../records/record-repository.js';
import { pageLimit, pageOffset } from '../query/paging.js';
export { procInfo, summarize };
import { RunStore, type PurgeOptions } from './run-store.js';
export type { PurgeOptions };
import type { OutputCut } from '../transport/exec/output-cut.js';

/** The object a session ran on (`{ model: 'Server', id: 3 }`), or every object of a host. */
export type ObjectRef = { model: string; id: number } | { host: string };

/** What `--status` may name (the list and its meaning are the contract's). */
export { STATUS_FILTERS, type StatusFilter };

export interface HistoryQuery {
  object?: ObjectRef | undefined;
  /** The session's (class) name. */
  session?: string | undefined;
  status?: StatusFilter | undefined;
  /** The id of the user who ran it. */
  user?: number | undefined;
  model?: string | undefined;
  runId?: number | undefined;
  /** Only records of this outcome, as a run's page shows them (`pending`: waiting or running). */
  outcome?: SessionOutcome | undefined;
  /** Oldest first (a run's page) instead of newest first. */
  oldestFirst?: boolean | undefined;
  /** Created at or after. */
  since?: Date | undefined;
  /** Created before. */
  until?: Date | undefined;
  limit?: number | undefined;
  offset?: number | undefined;
}

/** One session run on one object, as the history lists it. */
export interface SessionRecordItem {
  id: number;
  runId: number;
  session: string;
  verboseName: string;
  model: string;
  objectId: number;
  objectLabel: string;
  hostName: string | null;
  userId: number | null;
  /** Who started the run (null for runs the local CLI started, or a deleted user). */
  username: string | null;
  processState: ProcessState;
  result: SessionResult | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  durationMs: number | null;
  /** "waiting...", "completed in 1.2 seconds", "canceled!": the original's `proc_info`. */
  procInfo: string;
}

export interface HistoryMessage {
  id: number;
  level: MessageLevel;
  kind: MessageKind;
  text: string;
  data: unknown;
  createdAt: string;
}

export interface HistoryCommand {
  id: number;
  command: string;
  exitCode: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  pty: boolean;
  killed: boolean;
  timedOut: boolean;
  status: string;
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  /** True when `stdout` or `stderr` is only the head and tail of the output (see `outputCut`). */
  truncated: boolean;
  /** Per stream that was cut: what was left out, and where to download the full text. */
  outputCut: Partial<Record<'stdout' | 'stderr', StoredCut>> | null;
}

/** What a command's stored copy of one stream leaves out, as history shows it. */
export interface StoredCut {
  totalBytes: number;
  totalLines: number;
  droppedBytes: number;
  droppedLines: number;
  /** Whether the full text was stored; when not, `storeError` says why. */
  stored: boolean;
  storeError?: string;
  /** API path that streams the full text (null when it was not stored). */
  download: string | null;
}

/** A session record with the form data it ran with, its messages and its commands, in order. */
export interface SessionRecordDetail extends SessionRecordItem {
  data: unknown;
  messages: HistoryMessage[];
  commands: HistoryCommand[];
  /** True when some command's output in the record is only its head and tail. */
  outputTruncated: boolean;
}

/** Counters of a set of session records, as the original's `get_session_summary`. */
export type SessionSummary = RunSummary;

/** Ids per query when counting a selection, well under every backend's parameter limit. */
const ID_CHUNK = 500;

/**
 * The read side of session runs: what ran on which object, how it ended, its messages and
 * commands; counters for a run; and purging old records. Shared by the CLI, the API and the UI.
 *
 * @example
 *   const history = new SessionHistory(project.database);
 *   const page = await history.list({ object: { host: 'web-1' }, status: 'error', limit: 20 });
 */
export class SessionHistory {
  constructor(private readonly database: Database) {}

  private get db(): MinkeKysely {
    return this.database.tables;
  }

  /** Session records, newest first (or oldest first), filtered and paged. */
  async list(query: HistoryQuery = {}): Promise<Page<SessionRecordItem>> {
    const limit = pageLimit(query.limit);
    const offset = pageOffset(query.offset);
    const { rows, total } = await countedPage(this.filtered(query), { limit, offset }, () =>
      this.sorted(query),
    );
    return { items: await this.itemsOf(rows), total, limit, offset };
  }

  /** The same page without counting every match, for a caller that knows the total already. */
  async listPage(query: HistoryQuery = {}): Promise<SessionRecordItem[]> {
    const rows = await this.sorted(query)
      .limit(pageLimit(query.limit))
      .offset(pageOffset(query.offset))
      .execute();
    return this.itemsOf(rows);
  }

  /** The matching records, newest first (or oldest first). */
  private sorted(query: HistoryQuery) {
    const direction = query.oldestFirst ? 'asc' : 'desc';
    return this.filtered(query)
      .selectAll()
      .orderBy('created_at', direction)
      .orderBy('id', direction);
  }

  private async itemsOf(rows: readonly RecordRow[]): Promise<SessionRecordItem[]> {
    const usernames = await this.usernames(rows);
    return rows.map((row) => this.toItem(row, usernames));
  }

  /** One session record with its messages and commands, in the order they were written. */
  async get(id: number): Promise<SessionRecordDetail> {
    const row = Number.isSafeInteger(id)
      ? await this.db
          .selectFrom('minke_session_records')
          .selectAll()
          .where('id', '=', id)
          .executeTakeFirst()
      : undefined;
    if (!row) throw new NotFoundError(`session record ${id} does not exist`);
    const [messages, commands] = await Promise.all([
      this.db
        .selectFrom('minke_messages')
        .selectAll()
        .where('session_record_id', '=', id)
        .orderBy('id')
        .execute(),
      this.db
        .selectFrom('minke_commands')
        .selectAll()
        .where('session_record_id', '=', id)
        .orderBy('id')
        .execute(),
    ]);
    const shownCommands = commands.map((c, index) => this.toCommand(c, id, index + 1));
    return {
      ...this.toItem(row, await this.usernames([row])),
      data: row.data,
      messages: messages.map((m) => this.toMessage(m)),
      commands: shownCommands,
      outputTruncated: shownCommands.some((command) => command.truncated),
    };
  }

  /** Counters for the records of a run, or for records picked by id. */
  async summary(scope: { runId: number } | { ids: readonly number[] }): Promise<SessionSummary> {
    const counts: StateCount[] = [];
    if ('runId' in scope) {
      counts.push(...(await this.stateCounts('run_id', [scope.runId])));
    } else {
      const ids = [...new Set(scope.ids)];
      for (let start = 0; start < ids.length; start += ID_CHUNK) {
        const chunk = ids.slice(start, start + ID_CHUNK);
        counts.push(...(await this.stateCounts('id', chunk)));
      }
    }
    return summarize(counts);
  }

  /** How many records `purge` would delete. */
  async purgeable(olderThan: Date, options: PurgeOptions = {}): Promise<number> {
    return new RunStore(this.database).purgeable(olderThan, options);
  }

  /**
   * Deletes the session records created before `olderThan` and the runs left without records
   * (written by the run store, the one writer of run tables); returns how many records went.
   */
  async purge(olderThan: Date, options: PurgeOptions = {}): Promise<number> {
    return new RunStore(this.database).purge(olderThan, options);
  }

  private filtered(query: HistoryQuery) {
    let builder = this.db.selectFrom('minke_session_records');
    const { object } = query;
    if (object && 'host' in object) builder = builder.where('host_name', '=', object.host);
    else if (object) {
      builder = builder.where('model', '=', object.model).where('object_id', '=', object.id);
    }
    if (query.session !== undefined) builder = builder.where('session', '=', query.session);
    if (query.model !== undefined) builder = builder.where('model', '=', query.model);
    if (query.user !== undefined) builder = builder.where('user_id', '=', query.user);
    if (query.runId !== undefined) builder = builder.where('run_id', '=', query.runId);
    if (query.since !== undefined) {
      builder = builder.where('created_at', '>=', this.database.adapter.encodeDate(query.since));
    }
    if (query.until !== undefined) {
      builder = builder.where('created_at', '<', this.database.adapter.encodeDate(query.until));
    }
    if (query.status !== undefined) {
      const status = checkStatusFilter(query.status);
      if (status === 'error') {
        // As in the run summary: a stopped or canceled record carries `error` but did not fail.
        builder = builder
          .where('result', '=', status)
          .where('process_state', 'not in', STOPPED_STATES);
      } else if (isResultFilter(status)) builder = builder.where('result', '=', status);
      else builder = builder.where('process_state', 'in', statesOf(status));
    }
    // As the contract's `sessionOutcome` names a record's outcome.
    if (query.outcome === 'pending')
      builder = builder.where('process_state', 'not in', DONE_STATES);
    else if (query.outcome === 'stopped')
      builder = builder.where('process_state', 'in', STOPPED_STATES);
    else if (query.outcome !== undefined) {
      builder = builder
        .where('process_state', 'in', ENDED_ON_THEIR_OWN)
        .where('result', '=', query.outcome);
    }
    return builder;
  }

  private async stateCounts(
    column: 'run_id' | 'id',
    values: readonly number[],
  ): Promise<StateCount[]> {
    const rows = await this.db
      .selectFrom('minke_session_records')
      .where(column, 'in', values)
      .select(['process_state', 'result'])
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .groupBy(['process_state', 'result'])
      .execute();
    return rows.map((row) => ({
      processState: row.process_state,
      result: row.result,
      count: Number(row.n),
    }));
  }

  /** The names of the users who ran these records, in one query (a join would clash on columns). */
  private async usernames(rows: readonly RecordRow[]): Promise<Map<number, string>> {
    const ids = [...new Set(rows.flatMap((row) => (row.user_id === null ? [] : [row.user_id])))];
    if (ids.length === 0) return new Map();
    const users = await this.db
      .selectFrom('minke_users')
      .select(['id', 'username'])
      .where('id', 'in', ids)
      .execute();
    return new Map(users.map((user) => [user.id, user.username]));
  }

  private toItem(row: RecordRow, usernames: ReadonlyMap<number, string>): SessionRecordItem {
    return {
      id: row.id,
      runId: row.run_id,
      session: row.session,
      verboseName: row.verbose_name,
      model: row.model,
      objectId: row.object_id,
      objectLabel: row.object_label,
      hostName: row.host_name,
      userId: row.user_id,
      username: row.user_id === null ? null : (usernames.get(row.user_id) ?? null),
      processState: row.process_state,
      result: row.result || null,
      createdAt: row.created_at,
      startedAt: row.started_at,
      finishedAt: row.finished_at,
      durationMs: row.duration_ms,
      procInfo: procInfo(row.process_state, row.duration_ms),
    };
  }

  private toMessage(row: Selectable<MessagesTable>): HistoryMessage {
    return {
      id: row.id,
      level: row.level as MessageLevel,
      kind: row.kind as MessageKind,
      text: row.text,
      data: row.data,
      createdAt: row.created_at,
    };
  }

  private toCommand(
    row: Selectable<CommandsTable>,
    recordId: number,
    position: number,
  ): HistoryCommand {
    const outputCut = storedCuts(row.output_cut, recordId, position);
    return {
      id: row.id,
      command: row.command,
      exitCode: row.exit_code,
      signal: row.signal,
      stdout: row.stdout,
      stderr: row.stderr,
      pty: row.pty,
      killed: row.killed,
      timedOut: row.timed_out,
      status: row.status,
      startedAt: row.started_at,
      finishedAt: row.finished_at,
      durationMs: row.duration_ms,
      truncated: outputCut !== null,
      outputCut,
    };
  }
}

/** A `--status` value checked: a result, a process state, `waiting` or `done` (any case). */
export function checkStatusFilter(value: string): StatusFilter {
  const name = value.trim().toLowerCase();
  if ((STATUS_FILTERS as readonly string[]).includes(name)) return name as StatusFilter;
  throw new InputError(
    `unknown status "${value}": use a result (${SESSION_RESULTS.join(', ')}), a process state (${PROCESS_STATES.join(', ')}), waiting or done`,
  );
}

type ProcessStateFilter = Exclude<StatusFilter, SessionResult>;

function isResultFilter(status: StatusFilter): status is SessionResult {
  return (SESSION_RESULTS as readonly string[]).includes(status);
}

/** What the run summary counts as stopped (`isStoppedState`). */
const STOPPED_STATES: readonly ProcessState[] = ['stopped', 'canceled'];
/** Done, and not stopped or canceled: a record whose result is its outcome. */
const ENDED_ON_THEIR_OWN: readonly ProcessState[] = ['completed', 'failed'];

function statesOf(status: ProcessStateFilter): readonly ProcessState[] {
  if (status === 'waiting') return ['initialized'];
  if (status === 'done') return DONE_STATES;
  if (status === 'stopped') return STOPPED_STATES;
  return [status];
}

type RecordRow = Selectable<SessionRecordsTable>;

/** The API path that streams a command's full output (position counts from 1 in its record). */
export function outputDownloadPath(
  recordId: number,
  position: number,
  stream: 'stdout' | 'stderr',
): string {
  return `/api/session-records/${recordId}/commands/${position}/output?stream=${stream}`;
}

/** The stored `output_cut` JSON as history shows it: no store keys, a download path instead. */
function storedCuts(
  value: unknown,
  recordId: number,
  position: number,
): HistoryCommand['outputCut'] {
  if (value === null || value === undefined) return null;
  const cuts = value as Partial<Record<'stdout' | 'stderr', OutputCut>> | null;
  if (!cuts || typeof cuts !== 'object') return null;
  const shown: Partial<Record<'stdout' | 'stderr', StoredCut>> = {};
  for (const stream of ['stdout', 'stderr'] as const) {
    const cut = cuts[stream];
    if (!cut) continue;
    shown[stream] = {
      totalBytes: cut.totalBytes,
      totalLines: cut.totalLines,
      droppedBytes: cut.droppedBytes,
      droppedLines: cut.droppedLines,
      stored: cut.stored !== null,
      ...(cut.storeError === undefined ? {} : { storeError: cut.storeError }),
      download: cut.stored === null ? null : outputDownloadPath(recordId, position, stream),
    };
  }
  return Object.keys(shown).length === 0 ? null : shown;
}
