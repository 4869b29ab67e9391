import { sql, type Insertable } from 'kysely';
import type { CommandsTable, MessagesTable } from '../store/minke-tables.js';
import type { SessionMessage } from '../session/messages.js';
import type { ProcessState, SessionResult } from '../session/status.js';
import type { Database } from '../store/database.js';
import type { MinkeKysely } from '../store/minke-kysely.js';
import { inTransaction } from '../store/transaction.js';
import { commandStatus, type CommandResult } from '../transport/transport.js';
import type { RunSummary } from '../events/run-events.js';
import { countCommand } from '../metrics/process-counts.js';
import { summarize } from '@minke/contract/run-summary';
import { OutputStore } from './output-store.js';
import { BatchWriter } from '../util/batch-writer.js';
import type { OutputSpill } from '../transport/exec/output-cut.js';

/** A run to write: its session, who started it, its form data and one record per object. */
export interface NewRun {
  session: string;
  verboseName: string;
  model: string;
  userId: number | null;
  /** The saved job it is a launch of. */
  jobId?: number | null;
  data: Record<string, unknown>;
  /** Secret form values or a run-time connection layer, which are stored nowhere. */
  hasSecretValues?: boolean;
  /** Its time limit per object in ms, given at its start. */
  timeoutMs?: number | null;
  /** Its time limit as a whole in ms, from now. */
  runTimeoutMs?: number | null;
  records: NewSessionRecord[];
}

export interface NewSessionRecord {
  objectId: number;
  objectLabel: string;
  hostId: number | null;
  hostName: string | null;
}

export interface RecordState {
  processState: ProcessState;
  result: SessionResult | null;
  stopRequests: number;
}

export interface PurgeOptions {
  /**
   * Also delete records that are still waiting, running or stopping. Off by default: a session
   * that still runs would lose the record it writes its commands and messages to.
   */
  includeActive?: boolean | undefined;
}

const ACTIVE_STATES: readonly ProcessState[] = ['initialized', 'running', 'stopping'];
/** Ids per statement when purging, well under every backend's parameter limit. */
const PURGE_CHUNK = 500;

/**
 * Writes runs, session records, commands and messages. State changes are conditional updates
 * (`... WHERE process_state = 'initialized'`), so a stop and a start racing each other cannot both
 * win.
 */
export class RunStore {
  private readonly outputs: OutputStore;
  /**
   * Outside a transaction, the rows many sessions write at about the same moment (a run's hosts
   * start, run their command and report together) go in one statement each turn; every caller
   * still waits for its own row (see BatchWriter). In a transaction, each row is its own statement.
   */
  private readonly batches: RunStoreBatches | undefined;

  /** `scope`: the transaction its statements run in (see `inTransaction`); the database's
   * connection pool otherwise. */
  constructor(
    private readonly database: Database,
    private readonly scope: MinkeKysely = database.tables,
  ) {
    this.outputs = new OutputStore(database);
    this.batches = scope.isTransaction ? undefined : this.batchWriters();
  }

  private batchWriters(): RunStoreBatches {
    return {
      markRunning: new BatchWriter(
        (recordIds) => this.markManyRunning(recordIds),
        (recordId) => this.markOneRunning(recordId),
      ),
      // Each writer names its table literally: the table-ownership check reads writes that way.
      commands: new BatchWriter(
        async (rows) => {
          await this.db
            .insertInto('minke_commands')
            .values([...rows])
            .execute();
          return rows.map(() => undefined);
        },
        async (row) => {
          await this.db.insertInto('minke_commands').values(row).execute();
        },
      ),
      messages: new BatchWriter(
        async (rows) => {
          await this.db
            .insertInto('minke_messages')
            .values([...rows])
            .execute();
          return rows.map(() => undefined);
        },
        async (row) => {
          await this.db.insertInto('minke_messages').values(row).execute();
        },
      ),
    };
  }

  private get db(): MinkeKysely {
    return this.scope;
  }

  /**
   * Runs `work` in one transaction, with a store whose statements all run in it: a state change
   * and its message are written together or not at all.
   */
  async inTransaction<T>(work: (runs: RunStore) => Promise<T>): Promise<T> {
    return inTransaction(this.database, (trx) => work(new RunStore(this.database, trx.tables)));
  }

  private now(): Date {
    return new Date();
  }

  async createRun(input: NewRun): Promise<{ runId: number; recordIds: number[] }> {
    // To the millisecond, as `started_at` and `finished_at` are (SQLite's own default keeps
    // whole seconds); the run and its records share the moment.
    const created = this.now();
    const write = async (trx: MinkeKysely) => {
      const run = await trx
        .insertInto('minke_runs')
        .values({
          created_at: created,
          session: input.session,
          model: input.model,
          user_id: input.userId,
          job_id: input.jobId ?? null,
          data: input.data,
          has_secret_values: input.hasSecretValues === true,
          timeout_ms: input.timeoutMs ?? null,
          run_timeout_ms: input.runTimeoutMs ?? null,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      const runId = Number(run.id);
      const recordIds: number[] = [];
      // Chunks keep each INSERT under SQLite's bound-parameter limit.
      for (let i = 0; i < input.records.length; i += 200) {
        const rows = input.records.slice(i, i + 200).map((record) => ({
          run_id: runId,
          session: input.session,
          verbose_name: input.verboseName,
          model: input.model,
          object_id: record.objectId,
          object_label: record.objectLabel,
          host_id: record.hostId,
          host_name: record.hostName,
          user_id: input.userId,
          data: input.data,
          created_at: created,
        }));
        const inserted = await trx
          .insertInto('minke_session_records')
          .values(rows)
          .returning('id')
          .execute();
        recordIds.push(...inserted.map((row) => Number(row.id)));
      }
      return { runId, recordIds };
    };
    // In the caller's transaction when there is one (the run and its audit row, one commit).
    return this.db.isTransaction ? write(this.db) : this.db.transaction().execute(write);
  }

  /** The connection or transaction this store writes through (for a row of another owner in
   * the same commit, such as the audit log's). */
  get scopeTables(): MinkeKysely {
    return this.scope;
  }

  /** Marks a run as an in-process executor's, so that it can be ended if that process dies
   * before finishing it (see ExecutorOwners). */
  async takeRun(runId: number, owner: string): Promise<void> {
    await this.db.updateTable('minke_runs').set({ owner }).where('id', '=', runId).execute();
  }

  /** initialized → running; false when the record is no longer waiting (canceled meanwhile). */
  async markRunning(recordId: number): Promise<boolean> {
    return this.batches ? this.batches.markRunning.write(recordId) : this.markOneRunning(recordId);
  }

  private async markOneRunning(recordId: number): Promise<boolean> {
    const result = await this.db
      .updateTable('minke_session_records')
      .set({ process_state: 'running', started_at: this.now() })
      .where('id', '=', recordId)
      .where('process_state', '=', 'initialized')
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /** The same for many records in one conditional statement: each learns whether it started. */
  private async markManyRunning(recordIds: readonly number[]): Promise<boolean[]> {
    const rows = await this.db
      .updateTable('minke_session_records')
      .set({ process_state: 'running', started_at: this.now() })
      .where('id', 'in', [...recordIds])
      .where('process_state', '=', 'initialized')
      .returning('id')
      .execute();
    const started = new Set(rows.map((row) => Number(row.id)));
    return recordIds.map((recordId) => started.has(recordId));
  }

  /** Ends a record; `durationMs` from its start when it ran. */
  async finish(
    recordId: number,
    state: ProcessState,
    result: SessionResult,
    durationMs: number | null,
  ): Promise<void> {
    await this.db
      .updateTable('minke_session_records')
      .set({ process_state: state, result, finished_at: this.now(), duration_ms: durationMs })
      .where('id', '=', recordId)
      .execute();
  }

  /** initialized → canceled (error); false when it had started already. */
  async cancelWaiting(recordId: number): Promise<boolean> {
    const result = await this.db
      .updateTable('minke_session_records')
      .set({ process_state: 'canceled', result: 'error', finished_at: this.now() })
      .where('id', '=', recordId)
      .where('process_state', '=', 'initialized')
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /** initialized → failed (error): the session could not start at all; false when it had. */
  async failWaiting(recordId: number): Promise<boolean> {
    const result = await this.db
      .updateTable('minke_session_records')
      .set({ process_state: 'failed', result: 'error', finished_at: this.now() })
      .where('id', '=', recordId)
      .where('process_state', '=', 'initialized')
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /** running/stopping → failed (error), for a session whose worker is gone; false when it had
   * ended meanwhile (it keeps its outcome). */
  async failRunning(recordId: number, durationMs: number | null): Promise<boolean> {
    const result = await this.db
      .updateTable('minke_session_records')
      .set({
        process_state: 'failed',
        result: 'error',
        finished_at: this.now(),
        duration_ms: durationMs,
      })
      .where('id', '=', recordId)
      .where('process_state', 'in', ['running', 'stopping'])
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /** Counts a stop request: the first turns running into stopping. Returns the state after it. */
  async requestStop(recordId: number): Promise<RecordState | undefined> {
    await this.db
      .updateTable('minke_session_records')
      .set({
        stop_requests: sql<number>`stop_requests + 1`,
        process_state: sql<ProcessState>`CASE WHEN process_state = 'running' THEN 'stopping' ELSE process_state END`,
      })
      .where('id', '=', recordId)
      .where('process_state', 'in', ['running', 'stopping'])
      .execute();
    return this.state(recordId);
  }

  async state(recordId: number): Promise<RecordState | undefined> {
    const row = await this.db
      .selectFrom('minke_session_records')
      .select(['process_state', 'result', 'stop_requests'])
      .where('id', '=', recordId)
      .executeTakeFirst();
    if (!row) return undefined;
    return {
      processState: row.process_state,
      result: row.result ?? null,
      stopRequests: Number(row.stop_requests),
    };
  }

  /** Which run, object and host a record belongs to (for events about it). */
  async identity(
    recordId: number,
  ): Promise<
    { runId: number; objectId: number; objectLabel: string; hostName: string | null } | undefined
  > {
    const row = await this.db
      .selectFrom('minke_session_records')
      .select(['run_id', 'object_id', 'object_label', 'host_name'])
      .where('id', '=', recordId)
      .executeTakeFirst();
    if (!row) return undefined;
    return {
      runId: Number(row.run_id),
      objectId: Number(row.object_id),
      objectLabel: row.object_label,
      hostName: row.host_name,
    };
  }

  async recordCommand(recordId: number, result: CommandResult): Promise<void> {
    const row = {
      session_record_id: recordId,
      command: result.command,
      exit_code: result.exitCode,
      signal: result.signal ?? null,
      output_cut: result.outputCut ?? null,
      stdout: result.stdout,
      stderr: result.stderr,
      pty: result.pty,
      killed: result.killed,
      timed_out: result.timedOut,
      status: commandStatus(result),
      started_at: result.startedAt,
      finished_at: result.finishedAt,
      duration_ms: Math.round(result.durationMs),
    };
    if (this.batches) await this.batches.commands.write(row);
    else await this.db.insertInto('minke_commands').values(row).execute();
    countCommand(commandStatus(result)); // minke_commands_total: its rate is commands per second
  }

  /** Where the full output of a command of this record goes once it outgrows the record. */
  outputWriter(recordId: number): OutputSpill {
    return this.outputs.writer(recordId);
  }

  async recordMessage(recordId: number, message: SessionMessage): Promise<void> {
    const row = {
      session_record_id: recordId,
      level: message.level,
      kind: message.kind,
      text: message.text,
      data: message.data ?? null,
      created_at: this.now(),
    };
    if (this.batches) await this.batches.messages.write(row);
    else await this.db.insertInto('minke_messages').values(row).execute();
  }

  async finishRun(runId: number): Promise<RunSummary> {
    await this.db
      .updateTable('minke_runs')
      .set({ state: 'finished', finished_at: this.now() })
      .where('id', '=', runId)
      .execute();
    return this.summary(runId);
  }

  /**
   * Finishes a run once none of its sessions waits or runs. One conditional statement: of several
   * workers ending a run's last sessions at once, exactly one finishes it (and gets true).
   */
  async finishRunIfDone(runId: number): Promise<boolean> {
    const result = await this.db
      .updateTable('minke_runs')
      .set({ state: 'finished', finished_at: this.now() })
      .where('id', '=', runId)
      .where('state', '!=', 'finished')
      .where((eb) =>
        eb.not(
          eb.exists(
            eb
              .selectFrom('minke_session_records')
              .select('id')
              .where('run_id', '=', runId)
              .where('process_state', 'in', ['initialized', 'running', 'stopping']),
          ),
        ),
      )
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async summary(runId: number): Promise<RunSummary> {
    const rows = await this.db
      .selectFrom('minke_session_records')
      .select(['process_state', 'result', (eb) => eb.fn.countAll<number>().as('n')])
      .where('run_id', '=', runId)
      .groupBy(['process_state', 'result'])
      .execute();
    return summarize(
      rows.map((row) => ({
        processState: row.process_state,
        result: row.result,
        count: Number(row.n),
      })),
    );
  }
  /** Whether a run is recorded. */
  async hasRun(runId: number): Promise<boolean> {
    const run = await this.db
      .selectFrom('minke_runs')
      .select('id')
      .where('id', '=', runId)
      .executeTakeFirst();
    return run !== undefined;
  }

  /** A run's session records that have not finished (waiting, running or stopping), by id. */
  async unfinishedRecords(runId: number): Promise<{ id: number; processState: ProcessState }[]> {
    const rows = await this.db
      .selectFrom('minke_session_records')
      .select(['id', 'process_state'])
      .where('run_id', '=', runId)
      .where('process_state', 'in', ACTIVE_STATES)
      .orderBy('id')
      .execute();
    return rows.map((row) => ({ id: Number(row.id), processState: row.process_state }));
  }

  /** How many session records `purge` would delete. */
  async purgeable(olderThan: Date, options: PurgeOptions = {}): Promise<number> {
    const row = await this.purgeSelection(this.db, olderThan, options)
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .executeTakeFirst();
    return Number(row?.n ?? 0);
  }

  /**
   * Deletes the session records created before `olderThan` (their commands, messages and output
   * go with them), then the runs left without records; returns how many session records were
   * deleted. Records still waiting, running or stopping are kept unless `includeActive`.
   */
  async purge(olderThan: Date, options: PurgeOptions = {}): Promise<number> {
    const cutoff = this.database.adapter.encodeDate(olderThan);
    return this.db.transaction().execute(async (trx) => {
      const rows = await this.purgeSelection(trx, olderThan, options).select('id').execute();
      const ids = rows.map((row) => Number(row.id));
      let deleted = 0;
      for (let start = 0; start < ids.length; start += PURGE_CHUNK) {
        const chunk = ids.slice(start, start + PURGE_CHUNK);
        // Children first: correct whether or not the backend enforces ON DELETE CASCADE.
        await this.outputs.deleteForRecords(trx, chunk);
        await trx.deleteFrom('minke_messages').where('session_record_id', 'in', chunk).execute();
        await trx.deleteFrom('minke_commands').where('session_record_id', 'in', chunk).execute();
        const result = await trx
          .deleteFrom('minke_session_records')
          .where('id', 'in', chunk)
          .executeTakeFirst();
        deleted += Number(result.numDeletedRows);
      }
      // Only runs older than the cut-off: a run just started may not have written its records.
      await trx
        .deleteFrom('minke_runs')
        .where('created_at', '<', cutoff)
        .where((eb) =>
          eb.not(
            eb.exists(
              eb
                .selectFrom('minke_session_records')
                .select('minke_session_records.id')
                .whereRef('minke_session_records.run_id', '=', 'minke_runs.id'),
            ),
          ),
        )
        .execute();
      return deleted;
    });
  }

  private purgeSelection(db: MinkeKysely, olderThan: Date, options: PurgeOptions) {
    const cutoff = this.database.adapter.encodeDate(olderThan);
    let query = db.selectFrom('minke_session_records').where('created_at', '<', cutoff);
    if (!options.includeActive) query = query.where('process_state', 'not in', ACTIVE_STATES);
    return query;
  }
}

/** Rows of the tables a run writes most, one statement per turn (see `RunStore.batches`). */
interface RunStoreBatches {
  markRunning: BatchWriter<number, boolean>;
  commands: BatchWriter<Insertable<CommandsTable>>;
  messages: BatchWriter<Insertable<MessagesTable>>;
}
