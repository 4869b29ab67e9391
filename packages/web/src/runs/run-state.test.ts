import { describe, expect, it } from 'vitest';
import { procInfo, summarize, type RunEvent } from '@minke/contract';
import {
  applyEvent,
  applySnapshot,
  applyStarted,
  applyStopOutcome,
  emptyRun,
} from './run-state.js';

const at = '2024-01-01T00:00:00Z';
const state = (
  recordId: number,
  processState: 'running' | 'initialized' | 'completed' | 'stopped',
  result: 'success' | 'warning' | 'error' | null = null,
): RunEvent => ({
  type: 'session.state',
  runId: 1,
  at,
  recordId,
  objectId: recordId * 10,
  objectLabel: `obj ${recordId}`,
  hostName: 'localhost',
  processState,
  result,
});

function started() {
  const run = emptyRun(1);
  applyStarted(run, {
    id: 1,
    session: 'HealthCheck',
    model: 'Host',
    records: [
      { recordId: 1, objectId: 10, objectLabel: 'a', hostName: 'a' },
      { recordId: 2, objectId: 20, objectLabel: 'b', hostName: 'b' },
      {
        recordId: 3,
        objectId: 30,
        objectLabel: 'c',
        hostName: 'c',
        canceled: 'the host is disabled',
      },
    ],
  });
  return run;
}

describe('run state', () => {
  it('starts with the rows of the POST answer; canceled ones are done at once', () => {
    const run = started();
    expect(run.byObject.get(20)).toBe(2);
    expect(summarize(run.sessions.values())).toEqual({
      all: 3,
      waiting: 2,
      running: 0,
      done: 1,
      success: 0,
      warning: 0,
      // the canceled row (a disabled host) is stopped, not an error
      error: 0,
      stopped: 1,
    });
  });

  it('moves rows forward only, and raises the result only', () => {
    const run = started();
    applyEvent(run, state(1, 'running'), 1);
    applyEvent(run, state(1, 'completed', 'warning'), 2);
    applyEvent(run, state(1, 'running', 'success'), 3); // late or replayed
    const live = run.sessions.get(1)!;
    expect([live.processState, live.result]).toEqual(['completed', 'warning']);
  });

  it('skips events at or below the last id (a replay after reconnecting)', () => {
    const run = started();
    const output: RunEvent = {
      type: 'output',
      runId: 1,
      at,
      recordId: 1,
      stream: 'stdout',
      chunk: 'hello\n',
    };
    expect(applyEvent(run, output, 5)).toBe(1);
    expect(applyEvent(run, output, 5)).toBeUndefined();
    expect(applyEvent(run, output, 4)).toBeUndefined();
    expect(run.sessions.get(1)!.output.length).toBe(1);
  });

  it("applies other records' events numbered below the last id (output joined per flush)", () => {
    const run = started();
    const output = (recordId: number, chunk: string): RunEvent => ({
      type: 'output',
      runId: 1,
      at,
      recordId,
      stream: 'stdout',
      chunk,
    });
    // a replay after a restart: each record's output joined, numbered by its last chunk
    expect(applyEvent(run, output(2, 'b4\nb5\n'), 79)).toBe(2);
    expect(applyEvent(run, output(1, 'a4\na5\n'), 77)).toBe(1);
    // a state event that came while record 2's output waited for the next flush
    expect(applyEvent(run, state(1, 'running'), 78)).toBe(1);
    expect(run.lastSeq).toBe(79);
    expect(run.sessions.get(1)!.output.line(0)?.plain).toBe('a4');
    expect(run.sessions.get(1)!.processState).toBe('running');
    // and the same events again (a reconnect in the middle of a flush) are still skipped
    expect(applyEvent(run, output(1, 'a4\na5\n'), 77)).toBeUndefined();
    expect(applyEvent(run, output(2, 'b4\nb5\n'), 79)).toBeUndefined();
    expect(run.sessions.get(2)!.output.length).toBe(2);
  });

  it('does not show a command that never ran (no connection) as `$ command`', () => {
    const run = started();
    applyEvent(run, { type: 'command.started', runId: 1, at, recordId: 2, command: 'uptime' });
    expect(run.sessions.get(2)!.output.line(0)?.plain).toBe('$ uptime');
    applyEvent(run, {
      type: 'session.finished',
      runId: 1,
      at,
      recordId: 2,
      objectId: 20,
      objectLabel: 'obj 2',
      hostName: 'localhost',
      processState: 'failed',
      result: 'error',
      durationMs: 10,
    });
    const lines = run.sessions.get(2)!.output;
    expect(lines.line(0)).toMatchObject({ kind: 'status', plain: '✗ not run: uptime' });
  });

  it('stops and cancels at once and keeps why a session never started', () => {
    const run = emptyRun(1);
    applyStarted(run, {
      id: 1,
      session: 'Hello',
      model: 'Host',
      records: [
        {
          recordId: 1,
          objectId: 10,
          objectLabel: 'off',
          hostName: 'off',
          canceled: 'off: host off is disabled',
        },
      ],
    });
    expect(run.sessions.get(1)).toMatchObject({
      processState: 'canceled',
      reason: 'off: host off is disabled',
    });
  });

  it('collects commands, output and messages per record', () => {
    const run = started();
    applyEvent(run, { type: 'command.started', runId: 1, at, recordId: 2, command: 'uptime' });
    applyEvent(run, { type: 'output', runId: 1, at, recordId: 2, stream: 'stdout', chunk: 'up' });
    applyEvent(run, {
      type: 'command.finished',
      runId: 1,
      at,
      recordId: 2,
      command: 'uptime',
      exitCode: 0,
      status: 'success',
      durationMs: 1500,
    });
    applyEvent(run, {
      type: 'message.added',
      runId: 1,
      at,
      recordId: 2,
      level: 'warning',
      kind: 'text',
      text: 'disk 91% full',
    });
    const live = run.sessions.get(2)!;
    expect(live.commands).toBe(1);
    expect([0, 1, 2].map((i) => live.output.line(i)?.plain)).toEqual([
      '$ uptime',
      'up',
      '[exit 0, success, 1.5 s]',
    ]);
    expect(live.messages).toEqual([{ level: 'warning', kind: 'text', text: 'disk 91% full' }]);
  });

  it('takes a snapshot after a reset and marks rows stale', () => {
    const run = started();
    applySnapshot(
      run,
      {
        id: 1,
        session: 'HealthCheck',
        model: 'Host',
        userId: 1,
        username: 'admin',
        state: 'finished',
        createdAt: at,
        finishedAt: at,
        summary: {
          all: 3,
          waiting: 0,
          running: 0,
          done: 3,
          success: 2,
          warning: 0,
          error: 1,
          stopped: 0,
        },
        data: {},
        sessions: [1, 2].map((id) => ({
          id,
          runId: 1,
          session: 'HealthCheck',
          verboseName: 'Health check',
          model: 'Host',
          userId: 1,
          username: 'admin',
          createdAt: at,
          objectId: id * 10,
          objectLabel: 'x',
          hostName: 'x',
          processState: 'completed' as const,
          result: 'success' as const,
          procInfo: 'completed in 0.2 seconds',
          startedAt: at,
          finishedAt: at,
          durationMs: 200,
        })),
      },
      true,
    );
    expect(run.finished).toBe(true);
    expect(run.sessions.get(1)).toMatchObject({ processState: 'completed', stale: true });
    const first = run.sessions.get(1)!;
    expect(procInfo(first.processState, first.durationMs)).toBe('completed in 0.2 seconds');
    expect(summarize(run.sessions.values()).done).toBe(3);
  });

  it('says what a row is doing as the original did', () => {
    expect(procInfo('initialized', null)).toBe('waiting...');
    expect(procInfo('stopped', 2500)).toBe('stopped after 2.5 seconds');
  });
});

describe('applyStopOutcome', () => {
  it('shows stopping at once and cancels waiting rows; done rows stay', () => {
    const run = started();
    applyEvent(run, state(1, 'running'), 1);
    expect(applyStopOutcome(run, 1, 'stopping')).toBe(true);
    expect(run.sessions.get(1)!.processState).toBe('stopping');
    expect(applyStopOutcome(run, 2, 'canceled')).toBe(true);
    expect(run.sessions.get(2)).toMatchObject({ processState: 'canceled', result: 'error' });
    applyEvent(run, state(1, 'stopped', 'error'), 2);
    expect(applyStopOutcome(run, 1, 'killing')).toBe(false);
    expect(run.sessions.get(1)!.processState).toBe('stopped');
  });
});

describe('truncated output', () => {
  it('counts what the server left out and says so in the output', () => {
    const run = started();
    applyEvent(run, {
      type: 'output',
      runId: 1,
      at,
      recordId: 1,
      stream: 'stdout',
      chunk: 'a\n',
      truncated: 500,
    });
    const live = run.sessions.get(1)!;
    expect(live.truncated).toBe(500);
    expect(live.output.line(1)?.plain).toBe('[… 500 characters skipped in the live view]');
  });
});
