import { appendAuditRow, type AuditChange } from '../audit/audit-log.js';
import { currentAuditActor } from '../audit/audit-context.js';
import type { EventBus } from '../events/event-bus.js';
import type { RunEvent } from '../events/run-events.js';
import type { StopOutcome } from '@minke/contract';
import { preformattedMessage, type SessionMessage } from '../session/messages.js';
import type { ProcessState, SessionResult } from '../session/status.js';
import { commandStatus, type CommandResult } from '../transport/transport.js';
import type { NewRun, RunStore } from './run-store.js';

/** A session record and what live views show of it. */
export interface RecordRef {
  runId: number;
  recordId: number;
  objectId: number;
  objectLabel: string;
  hostName: string | null;
}

/** Which record a message, a command or output belongs to. */
export type RecordIds = Pick<RecordRef, 'runId' | 'recordId'>;

/** How a session record ended. */
export interface RecordOutcome {
  processState: ProcessState;
  result: SessionResult;
  durationMs: number | null;
  /** Said to the user beside the end (e.g. "stopped after 2.0 s"), written with it. */
  message?: SessionMessage | undefined;
}

/**
 * Every change of a run as one call: the state is written (with its message, in one
 * transaction), and the event that tells live views is published after the commit. Conditional
 * changes (cancel a waiting record, end a lost one) publish only when they won, so a change that
 * lost a race to another process leaves no event behind.
 *
 * @example
 *   const journal = new RunJournal(runs, bus);
 *   if (await journal.recordStarted(ref)) { ...; await journal.recordFinished(ref, outcome); }
 *   await journal.cancelWaiting(ref, 'host web1 is disabled');
 */
export class RunJournal {
  constructor(
    readonly runs: RunStore,
    private readonly bus: EventBus,
  ) {}

  /** Writes a run, its waiting records and its audit row in one commit, and announces it. */
  async runCreated(
    input: NewRun,
    audit: (runId: number) => AuditChange,
  ): Promise<{ runId: number; recordIds: number[] }> {
    // Who acts is resolved before the transaction opens (it may read the database).
    const actor = await currentAuditActor();
    const created = await this.runs.inTransaction(async (runs) => {
      const made = await runs.createRun(input);
      await appendAuditRow(runs.scopeTables, actor, audit(made.runId));
      return made;
    });
    const { session, model } = input;
    const total = input.records.length;
    this.publish({ type: 'run.started', runId: created.runId, session, model, total, at: now() });
    return created;
  }

  /** initialized → running; false (and nothing said) when it was canceled while it waited. */
  async recordStarted(ref: RecordRef): Promise<boolean> {
    if (!(await this.runs.markRunning(ref.recordId))) return false;
    this.publish({
      type: 'session.state',
      ...shownOf(ref),
      processState: 'running',
      result: null,
      at: now(),
    });
    return true;
  }

  /** Ends a record that ran, with its closing message if any. */
  async recordFinished(ref: RecordRef, outcome: RecordOutcome): Promise<void> {
    const { processState, result, durationMs, message } = outcome;
    // The end alone is one statement, atomic by itself: no transaction (on SQLite a BEGIN and a
    // COMMIT more per host of every run); with a closing message, both are written together.
    if (message)
      await this.runs.inTransaction(async (runs) => {
        await runs.recordMessage(ref.recordId, message);
        await runs.finish(ref.recordId, processState, result, durationMs);
      });
    else await this.runs.finish(ref.recordId, processState, result, durationMs);
    if (message) this.publishMessage(ref, message);
    this.publishFinished(ref, processState, result, durationMs);
  }

  /** A waiting record canceled (error) with the reason; false when it had started already. */
  async cancelWaiting(ref: RecordRef, reason: string): Promise<boolean> {
    return this.endWaiting(ref, reason, 'canceled');
  }

  /** A waiting record that cannot run at all: failed (error) with the reason. */
  async failWaiting(ref: RecordRef, reason: string): Promise<boolean> {
    return this.endWaiting(ref, reason, 'failed');
  }

  /**
   * A running record whose worker is gone: failed (error) with the reason. False when it ended
   * meanwhile (it keeps its outcome).
   */
  async recordLost(ref: RecordRef, durationMs: number | null, reason: string): Promise<boolean> {
    const message = preformattedMessage(reason, 'error');
    const ended = await this.runs.inTransaction(async (runs) => {
      if (!(await runs.failRunning(ref.recordId, durationMs))) return false;
      await runs.recordMessage(ref.recordId, message);
      return true;
    });
    if (!ended) return false;
    this.publishMessage(ref, message);
    this.publishFinished(ref, 'failed', 'error', durationMs);
    return true;
  }

  /**
   * A stop asked for by a user: a waiting record is canceled at once; a running one counts the
   * request (the first turns it `stopping`, which is said at once; the second asks for a kill).
   * The executor then tells the session itself.
   */
  async stopRequested(recordId: number): Promise<StopOutcome> {
    // Read before the change, so that the event follows it with no wait in between: a session
    // that finishes meanwhile is seen as finished and gets no late event.
    const identity = await this.runs.identity(recordId);
    if (!identity) return 'unknown';
    const ref: RecordRef = { ...identity, recordId };
    if (await this.cancelWaiting(ref, 'canceled before it started')) return 'canceled';
    const state = await this.runs.requestStop(recordId);
    if (!state) return 'unknown';
    if (state.processState !== 'stopping') return 'finished';
    if (state.stopRequests === 1) {
      this.publish({
        type: 'session.state',
        ...shownOf(ref),
        processState: 'stopping',
        result: state.result,
        at: now(),
      });
    }
    return state.stopRequests >= 2 ? 'killing' : 'stopping';
  }

  /** A message of a record, stored and shown at once. */
  async message(ids: RecordIds, message: SessionMessage): Promise<void> {
    await this.runs.recordMessage(ids.recordId, message);
    this.publishMessage(ids, message);
  }

  commandStarted(ids: RecordIds, command: string): void {
    this.publish({ type: 'command.started', ...ids, command, at: now() });
  }

  /** A chunk of a running command's output: live only (the command's record keeps it). */
  output(ids: RecordIds, stream: 'stdout' | 'stderr', chunk: string, skipped?: number): void {
    this.publish({
      type: 'output',
      ...ids,
      stream,
      chunk,
      ...(skipped ? { skipped } : {}),
      at: now(),
    });
  }

  async commandFinished(ids: RecordIds, result: CommandResult): Promise<void> {
    await this.runs.recordCommand(ids.recordId, result);
    this.publish({
      type: 'command.finished',
      ...ids,
      command: result.command,
      exitCode: result.exitCode,
      status: commandStatus(result),
      durationMs: result.durationMs,
      at: now(),
    });
  }

  /** Finishes a run whose every batch has ended here (the in-process executor). */
  async runFinished(runId: number): Promise<void> {
    const summary = await this.runs.finishRun(runId);
    this.publish({ type: 'run.finished', runId, summary, at: now() });
  }

  /**
   * Finishes a run once none of its sessions waits or runs; of several processes ending its last
   * sessions at once, exactly one finishes it and says so.
   */
  async runFinishedIfDone(runId: number): Promise<boolean> {
    if (!(await this.runs.finishRunIfDone(runId))) return false;
    const summary = await this.runs.summary(runId);
    this.publish({ type: 'run.finished', runId, summary, at: now() });
    return true;
  }

  private async endWaiting(
    ref: RecordRef,
    reason: string,
    state: 'canceled' | 'failed',
  ): Promise<boolean> {
    const message = preformattedMessage(reason, 'error');
    const ended = await this.runs.inTransaction(async (runs) => {
      const changed =
        state === 'canceled'
          ? await runs.cancelWaiting(ref.recordId)
          : await runs.failWaiting(ref.recordId);
      if (changed) await runs.recordMessage(ref.recordId, message);
      return changed;
    });
    if (!ended) return false;
    this.publishMessage(ref, message);
    this.publishFinished(ref, state, 'error', null);
    return true;
  }

  private publishMessage(ids: RecordIds, message: SessionMessage): void {
    const { level, kind, text } = message;
    this.publish({
      type: 'message.added',
      runId: ids.runId,
      recordId: ids.recordId,
      level,
      kind,
      text,
      at: now(),
    });
  }

  private publishFinished(
    ref: RecordRef,
    processState: ProcessState,
    result: SessionResult,
    durationMs: number | null,
  ): void {
    this.publish({
      type: 'session.finished',
      ...shownOf(ref),
      processState,
      result,
      durationMs,
      at: now(),
    });
  }

  private publish(event: RunEvent): void {
    this.bus.publish(event);
  }
}

/** Only the fields an event carries, whatever else the caller's object holds. */
function shownOf(ref: RecordRef): RecordRef {
  const { runId, recordId, objectId, objectLabel, hostName } = ref;
  return { runId, recordId, objectId, objectLabel, hostName };
}

function now(): string {
  return new Date().toISOString();
}
