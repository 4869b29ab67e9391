import {
  isDone,
  type MessageKind,
  type MessageLevel,
  type ProcessState,
  type RunDetail,
  type RunEvent,
  type SessionResult,
  type StartedRun,
  type StopOutcome,
} from '@minke/contract';
import { OutputBuffer } from '../output/output-buffer.js';

/** The live view of one session record (one object of the run). */
export interface LiveSession {
  recordId: number;
  objectId: number;
  objectLabel: string;
  hostName: string | null;
  processState: ProcessState;
  result: SessionResult | null;
  procInfo?: string;
  durationMs: number | null;
  messages: { level: MessageLevel; kind: MessageKind; text: string }[];
  output: OutputBuffer;
  /** Commands started so far. */
  commands: number;
  /** Output characters the stream left out (the server caps what it sends per 100 ms). */
  truncated: number;
  /**
   * Messages and output were missed (a reset, or the page opened after the events were gone):
   * the details panel reads them from the history instead.
   */
  stale: boolean;
  /**
   * The `$ command` line of a command started but not finished, with no output yet: if the
   * session ends so, the command never ran (no connection, an unknown host key).
   */
  pendingCommand?: string | undefined;
  /** Why it was canceled before it started (a disabled host), as POST /api/runs said. */
  reason?: string;
  /** Bumped on every change, so one row re-renders alone. */
  version: number;
}

export interface RunState {
  runId: number;
  session: string;
  model: string;
  total: number;
  sessions: Map<number, LiveSession>;
  /** object id → record id */
  byObject: Map<number, number>;
  finished: boolean;
  /** The highest event id applied: a new connection resumes after it. */
  lastSeq: number;
  /**
   * The highest id applied per record and stream (see `orderKey`): events at or below it are
   * replays and skipped. Not one id for the whole run: the server joins each record's output
   * into one event per flush, numbered by its last chunk, so events of different records can
   * arrive out of order (a flush or a replay after a restart sends record 3's output numbered 79
   * before record 1's numbered 77), and only the ids of one record and stream always increase.
   */
  seen: Map<string, number>;
}

/** Order of process states: a replayed or late event never moves a row backwards. */
function rank(state: ProcessState): number {
  if (state === 'initialized') return 0;
  if (state === 'running') return 1;
  if (state === 'stopping') return 2;
  return 3;
}

const SEVERITY: Record<SessionResult, number> = { success: 0, warning: 1, error: 2 };

function raise(current: SessionResult | null, next: SessionResult | null): SessionResult | null {
  if (next === null) return current;
  if (current === null || SEVERITY[next] > SEVERITY[current]) return next;
  return current;
}

export function emptyRun(runId: number, session = '', model = ''): RunState {
  return {
    runId,
    session,
    model,
    total: 0,
    sessions: new Map(),
    byObject: new Map(),
    finished: false,
    lastSeq: 0,
    seen: new Map(),
  };
}

function ensureSession(
  state: RunState,
  recordId: number,
  init: Partial<LiveSession> = {},
): LiveSession {
  let live = state.sessions.get(recordId);
  if (!live) {
    live = {
      recordId,
      objectId: init.objectId ?? -1,
      objectLabel: init.objectLabel ?? '',
      hostName: init.hostName ?? null,
      processState: 'initialized',
      result: null,
      durationMs: null,
      messages: [],
      output: new OutputBuffer(),
      commands: 0,
      truncated: 0,
      stale: false,
      version: 0,
    };
    state.sessions.set(recordId, live);
    state.total = Math.max(state.total, state.sessions.size);
  }
  if (init.objectId !== undefined && init.objectId >= 0) {
    live.objectId = init.objectId;
    state.byObject.set(init.objectId, recordId);
  }
  if (init.objectLabel) live.objectLabel = init.objectLabel;
  if (init.hostName !== undefined) live.hostName = init.hostName;
  return live;
}

function setState(
  live: LiveSession,
  processState: ProcessState,
  result: SessionResult | null,
): boolean {
  const before = `${live.processState}/${live.result}`;
  if (!isDone(live.processState) && rank(processState) >= rank(live.processState))
    live.processState = processState;
  live.result = raise(live.result, result);
  return before !== `${live.processState}/${live.result}`;
}

/** The rows of a run as POST /api/runs answered it. */
export function applyStarted(state: RunState, started: StartedRun): void {
  state.session = started.session;
  state.model = started.model;
  for (const record of started.records) {
    const live = ensureSession(state, record.recordId, record);
    if (record.canceled) {
      setState(live, 'canceled', 'error');
      live.reason = record.canceled;
    }
    live.version++;
  }
  state.total = Math.max(state.total, started.records.length);
}

/**
 * The run as GET /api/runs/:id reads it (at start, and after a `reset`). Messages and output
 * are not in it: rows that were not done are marked stale so their details come from history.
 */
export function applySnapshot(state: RunState, run: RunDetail, afterReset = false): void {
  state.session = run.session;
  state.model = run.model;
  state.total = Math.max(run.summary?.all ?? 0, run.sessions.length);
  for (const item of run.sessions) {
    const live = ensureSession(state, item.id, item);
    setState(live, item.processState, item.result);
    if (item.procInfo) live.procInfo = item.procInfo;
    if (item.durationMs !== null && item.durationMs !== undefined)
      live.durationMs = item.durationMs;
    if (afterReset) live.stale = true;
    live.version++;
  }
  if (run.finishedAt) state.finished = true;
}

/** Events whose ids only go up in the stream: a record's output per stream, its other events. */
function orderKey(event: RunEvent): string {
  if (event.type === 'output') return `${event.recordId}:${event.stream}`;
  return 'recordId' in event ? String(event.recordId) : 'run';
}

/** Applies one event; returns the record it changed (or undefined for run-wide events). */
export function applyEvent(state: RunState, event: RunEvent, seq?: number): number | undefined {
  if (seq !== undefined) {
    const key = orderKey(event);
    if (seq <= (state.seen.get(key) ?? 0)) return undefined;
    state.seen.set(key, seq);
    state.lastSeq = Math.max(state.lastSeq, seq);
  }
  switch (event.type) {
    case 'run.started':
      state.session = event.session;
      state.model = event.model;
      state.total = Math.max(state.total, event.total);
      return undefined;
    case 'run.finished':
      state.finished = true;
      return undefined;
    case 'session.state':
    case 'session.finished': {
      const live = ensureSession(state, event.recordId, event);
      setState(live, event.processState, event.result);
      if (event.type === 'session.finished') {
        live.durationMs = event.durationMs;
        live.output.flush();
        markNotRun(live);
      }
      live.version++;
      return live.recordId;
    }
    case 'command.started': {
      const live = ensureSession(state, event.recordId);
      live.commands++;
      live.pendingCommand = `$ ${event.command}`;
      live.output.note('command', live.pendingCommand);
      live.version++;
      return live.recordId;
    }
    case 'output': {
      const live = ensureSession(state, event.recordId);
      live.pendingCommand = undefined;
      live.output.append(event.chunk, event.stream);
      if (event.truncated) {
        live.truncated += event.truncated;
        live.output.note('status', `[… ${event.truncated} characters skipped in the live view]`);
      }
      live.version++;
      return live.recordId;
    }
    case 'command.finished': {
      const live = ensureSession(state, event.recordId);
      live.pendingCommand = undefined;
      live.output.flush();
      const seconds = (event.durationMs / 1000).toFixed(1);
      const exit = event.exitCode === null ? 'no exit code' : `exit ${event.exitCode}`;
      live.output.note('status', `[${exit}, ${event.status}, ${seconds} s]`);
      live.version++;
      return live.recordId;
    }
    case 'message.added': {
      const live = ensureSession(state, event.recordId);
      live.messages.push({ level: event.level, kind: event.kind, text: event.text });
      live.version++;
      return live.recordId;
    }
    default:
      return undefined;
  }
}

/** A session ended with its last command started and nothing after: that command never ran. */
function markNotRun(live: LiveSession): void {
  const line = live.pendingCommand;
  if (line === undefined) return;
  live.pendingCommand = undefined;
  live.output.markNotRun(line, `✗ not run: ${line.slice(2)}`);
}

/**
 * Shows a stop at once, before (or without) an event: the server answers `stopping` while the
 * command still runs, and `canceled` for a waiting session. Events later move the row on.
 */
export function applyStopOutcome(state: RunState, recordId: number, outcome: StopOutcome): boolean {
  const live = state.sessions.get(recordId);
  if (!live) return false;
  const changed =
    outcome === 'stopping' || outcome === 'killing'
      ? setState(live, 'stopping', null)
      : outcome === 'canceled'
        ? setState(live, 'canceled', 'error')
        : false;
  if (changed) live.version++;
  return changed;
}
