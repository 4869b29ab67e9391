import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { backendFactories, type TestBackend } from '../../test-support/databases.js';
import { demoModels } from '../../test-support/demo-models.js';
import { InputError, NotFoundError } from '../errors.js';
import type { OpenedProject } from '../runtime/open-project.js';
import { SessionHistory, procInfo, type SessionRecordItem } from './history.js';
import { RunStore } from './run-store.js';

const tmp = mkdtempSync(join(tmpdir(), 'minke-history-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

interface RecordInput {
  runId: number;
  session: string;
  model: string;
  objectId: number;
  objectLabel: string;
  hostId: number | null;
  hostName: string | null;
  userId?: number | null;
  processState: string;
  result: string | null;
  createdAt: Date;
  durationMs?: number | null;
  data?: Record<string, unknown>;
}

// One suite, every backend: the history is done when it passes on SQLite and PostgreSQL.
describe.each(backendFactories(() => tmp))('session history on $name', ({ make }) => {
  let backend: TestBackend;
  let project: OpenedProject;
  let history: SessionHistory;
  const now = new Date();
  const ago = (ms: number) => new Date(now.getTime() - ms);

  beforeEach(async () => {
    backend = make();
    project = await backend.open(demoModels);
    history = new SessionHistory(project.database);
  });
  afterEach(async () => {
    await project.close();
    await backend.cleanup();
  });

  const date = (value: Date) => project.database.adapter.encodeDate(value);

  async function addRun(session: string, model: string, createdAt: Date, userId?: number) {
    const row = await project.database.db
      .insertInto('minke_runs')
      .values({
        session,
        model,
        user_id: userId ?? null,
        data: '{}',
        state: 'finished',
        created_at: date(createdAt),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return Number(row.id);
  }

  async function addRecord(input: RecordInput): Promise<number> {
    const done = !['initialized', 'running', 'stopping'].includes(input.processState);
    const started = input.processState === 'initialized' ? null : input.createdAt;
    const durationMs = input.durationMs ?? null;
    const row = await project.database.db
      .insertInto('minke_session_records')
      .values({
        run_id: input.runId,
        session: input.session,
        verbose_name: input.session === 'ServerInfo' ? 'Server info' : 'Disk usage',
        model: input.model,
        object_id: input.objectId,
        object_label: input.objectLabel,
        host_id: input.hostId,
        host_name: input.hostName,
        user_id: input.userId ?? null,
        process_state: input.processState,
        result: input.result,
        data: JSON.stringify(input.data ?? {}),
        created_at: date(input.createdAt),
        started_at: started ? date(started) : null,
        finished_at: done && started ? date(new Date(started.getTime() + (durationMs ?? 0))) : null,
        duration_ms: durationMs,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return Number(row.id);
  }

  async function addMessage(recordId: number, level: string, kind: string, text: string) {
    await project.database.db
      .insertInto('minke_messages')
      .values({
        session_record_id: recordId,
        level,
        kind,
        text,
        data: kind === 'table' ? JSON.stringify([['a', 'b']]) : null,
      })
      .execute();
  }

  async function addCommand(
    recordId: number,
    command: string,
    result: { exitCode: number; stdout: string; stderr?: string; at: Date; ms: number },
  ) {
    const { adapter } = project.database;
    const encodeBool = (value: boolean) => adapter.encodeBool(value);
    await project.database.db
      .insertInto('minke_commands')
      .values({
        session_record_id: recordId,
        command,
        exit_code: result.exitCode,
        signal: null,
        stdout: result.stdout,
        stderr: result.stderr ?? '',
        pty: encodeBool(false),
        killed: encodeBool(false),
        timed_out: encodeBool(false),
        status: result.exitCode !== 0 ? 'error' : result.stderr ? 'warning' : 'success',
        started_at: date(result.at),
        finished_at: date(new Date(result.at.getTime() + result.ms)),
        duration_ms: result.ms,
      })
      .execute();
  }

  /** Three hosts, a server on each, a user, and eight records over four runs. */
  async function seed() {
    const web1 = await project.hosts.add({ name: 'web-1', hostname: '127.0.0.1' });
    const web2 = await project.hosts.add({ name: 'web-2', hostname: '127.0.0.1' });
    const db1 = await project.hosts.add({ name: 'db-1', hostname: '127.0.0.1' });
    const s1 = await project.records.create('Server', { host: web1.id, role: 'web' });
    const s2 = await project.records.create('Server', { host: web2.id, role: 'web' });
    const s3 = await project.records.create('Server', { host: db1.id, role: 'db' });
    const alice = await project.users.create({ username: 'alice', password: 'correct-horse' });
    const server = (s: typeof s1, host: typeof web1) => ({
      model: 'Server',
      objectId: s.id,
      objectLabel: `Server ${s.id}`,
      hostId: host.id,
      hostName: host.name,
    });
    const hostObject = (host: typeof web1) => ({
      model: 'Host',
      objectId: host.id,
      objectLabel: host.name,
      hostId: host.id,
      hostName: host.name,
    });
    const run1 = await addRun('ServerInfo', 'Server', ago(10 * DAY));
    const run2 = await addRun('DiskUsage', 'Host', ago(3 * DAY), alice.id);
    const run3 = await addRun('DiskUsage', 'Host', ago(2 * DAY));
    const run4 = await addRun('ServerInfo', 'Server', ago(HOUR));
    const info = { runId: run1, session: 'ServerInfo' };
    const r1 = await addRecord({
      ...info,
      ...server(s1, web1),
      processState: 'completed',
      result: 'success',
      createdAt: ago(10 * DAY),
      durationMs: 1234,
      data: { verbose: true },
    });
    const r2 = await addRecord({
      ...info,
      ...server(s2, web2),
      processState: 'completed',
      result: 'warning',
      createdAt: ago(10 * DAY - 1000),
      durationMs: 800,
    });
    const r3 = await addRecord({
      runId: run2,
      session: 'DiskUsage',
      ...hostObject(web1),
      userId: alice.id,
      processState: 'failed',
      result: 'error',
      createdAt: ago(3 * DAY),
      durationMs: 50,
    });
    const disk3 = { runId: run3, session: 'DiskUsage', createdAt: ago(2 * DAY) };
    const r4 = await addRecord({
      ...disk3,
      ...hostObject(web2),
      processState: 'stopped',
      result: 'error',
      durationMs: 3000,
    });
    const r5 = await addRecord({
      ...disk3,
      ...hostObject(db1),
      processState: 'canceled',
      result: 'error',
    });
    const info4 = { runId: run4, session: 'ServerInfo' };
    const r6 = await addRecord({
      ...info4,
      ...server(s1, web1),
      processState: 'initialized',
      result: null,
      createdAt: ago(HOUR),
    });
    const r7 = await addRecord({
      ...info4,
      ...server(s2, web2),
      processState: 'running',
      result: null,
      createdAt: ago(HOUR - 1000),
    });
    const r8 = await addRecord({
      ...info4,
      ...server(s3, db1),
      processState: 'stopping',
      result: 'warning',
      createdAt: ago(HOUR - 2000),
    });
    return { web1, s1, alice, run1, run2, run3, run4, r1, r2, r3, r4, r5, r6, r7, r8 };
  }

  const ids = (items: SessionRecordItem[]) => items.map((item) => item.id);

  it('lists every record newest first, with display strings and ISO dates', async () => {
    const s = await seed();
    const page = await history.list();
    expect(page).toMatchObject({ total: 8, limit: 50, offset: 0 });
    expect(ids(page.items)).toEqual([s.r8, s.r7, s.r6, s.r5, s.r4, s.r3, s.r2, s.r1]);
    const byId = new Map(page.items.map((item) => [item.id, item]));
    expect(byId.get(s.r1)).toEqual({
      id: s.r1,
      runId: s.run1,
      session: 'ServerInfo',
      verboseName: 'Server info',
      model: 'Server',
      objectId: s.s1.id,
      objectLabel: `Server ${s.s1.id}`,
      hostName: 'web-1',
      userId: null,
      username: null,
      processState: 'completed',
      result: 'success',
      createdAt: ago(10 * DAY).toISOString(),
      startedAt: ago(10 * DAY).toISOString(),
      finishedAt: new Date(ago(10 * DAY).getTime() + 1234).toISOString(),
      durationMs: 1234,
      procInfo: 'completed in 1.2 seconds',
    });
    expect(page.items.map((item) => item.procInfo)).toEqual([
      'stopping...',
      'running...',
      'waiting...',
      'canceled!',
      'stopped after 3.0 seconds',
      'failed!',
      'completed in 0.8 seconds',
      'completed in 1.2 seconds',
    ]);
    expect(byId.get(s.r6)).toMatchObject({ result: null, startedAt: null, finishedAt: null });
    expect(byId.get(s.r3)).toMatchObject({ userId: s.alice.id, username: 'alice' });
  });

  it('filters by object, host, session, status, user, model, run and dates', async () => {
    const s = await seed();
    const list = async (query: Parameters<SessionHistory['list']>[0]) =>
      ids((await history.list(query)).items);
    expect(await list({ object: { model: 'Server', id: s.s1.id } })).toEqual([s.r6, s.r1]);
    expect(await list({ object: { model: 'Host', id: s.web1.id } })).toEqual([s.r3]);
    expect(await list({ object: { host: 'web-1' } })).toEqual([s.r6, s.r3, s.r1]);
    expect(await list({ object: { host: 'nope' } })).toEqual([]);
    expect(await list({ session: 'DiskUsage' })).toEqual([s.r5, s.r4, s.r3]);
    // As the summary counts them: stopped (r4) and canceled (r5) carry `error` but did not fail.
    expect(await list({ status: 'error' })).toEqual([s.r3]);
    expect(await list({ status: 'stopped' })).toEqual([s.r5, s.r4]);
    expect(await list({ status: 'canceled' })).toEqual([s.r5]);
    expect(await list({ status: 'warning' })).toEqual([s.r8, s.r2]);
    expect(await list({ status: 'success' })).toEqual([s.r1]);
    expect(await list({ status: 'initialized' })).toEqual([s.r6]);
    expect(await list({ status: 'waiting' })).toEqual([s.r6]);
    expect(await list({ status: 'running' })).toEqual([s.r7]);
    expect(await list({ status: 'stopping' })).toEqual([s.r8]);
    expect(await list({ status: 'failed' })).toEqual([s.r3]);
    expect(await list({ status: 'done' })).toEqual([s.r5, s.r4, s.r3, s.r2, s.r1]);
    expect(await list({ user: s.alice.id })).toEqual([s.r3]);
    expect(await list({ model: 'Host' })).toEqual([s.r5, s.r4, s.r3]);
    expect(await list({ runId: s.run1 })).toEqual([s.r2, s.r1]);
    expect(await list({ since: ago(5 * DAY) })).toEqual([s.r8, s.r7, s.r6, s.r5, s.r4, s.r3]);
    expect(await list({ until: ago(5 * DAY) })).toEqual([s.r2, s.r1]);
    expect(await list({ since: ago(4 * DAY), until: ago(DAY) })).toEqual([s.r5, s.r4, s.r3]);
    // Filters combine with "and".
    expect(await list({ session: 'ServerInfo', status: 'warning', model: 'Server' })).toEqual([
      s.r8,
      s.r2,
    ]);
    await expect(list({ status: 'bogus' as 'error' })).rejects.toThrow(
      'unknown status "bogus": use a result (success, warning, error), a process state (initialized, running, completed, stopping, stopped, canceled, failed), waiting or done',
    );
  });

  it('dates a new run and its records to the millisecond, as their start and finish are', async () => {
    const host = await project.hosts.add({ name: 'web-9', hostname: '127.0.0.1' });
    const before = Date.now();
    const { runId, recordIds } = await new RunStore(project.database).createRun({
      session: 'ServerInfo',
      verboseName: 'Server info',
      model: 'Host',
      userId: null,
      data: {},
      records: [{ objectId: host.id, objectLabel: 'web-9', hostId: host.id, hostName: 'web-9' }],
    });
    const after = Date.now();
    const [record] = (await history.list({ runId })).items;
    expect(record?.id).toBe(recordIds[0]);
    // A database's own default (CURRENT_TIMESTAMP on SQLite) keeps whole seconds: it would read
    // as before the call almost every time.
    const created = Date.parse(record?.createdAt ?? '');
    expect(created).toBeGreaterThanOrEqual(before);
    expect(created).toBeLessThanOrEqual(after);
  });

  it('pages with a total', async () => {
    const s = await seed();
    const first = await history.list({ limit: 3 });
    expect(first).toMatchObject({ total: 8, limit: 3, offset: 0 });
    expect(ids(first.items)).toEqual([s.r8, s.r7, s.r6]);
    const last = await history.list({ limit: 3, offset: 6 });
    expect(ids(last.items)).toEqual([s.r2, s.r1]);
    expect(last.total).toBe(8);
    const filtered = await history.list({ status: 'done', limit: 2, offset: 1 });
    expect(filtered).toMatchObject({ total: 5, offset: 1 });
    expect(ids(filtered.items)).toEqual([s.r4, s.r3]);
    await expect(history.list({ limit: 0 })).rejects.toThrow(InputError);
    await expect(history.list({ offset: -1 })).rejects.toThrow('offset must be a whole number');
  });

  it('shows a record with its messages and commands in order', async () => {
    const s = await seed();
    await addMessage(s.r1, 'info', 'text', 'os: Debian 12');
    await addMessage(s.r1, 'warning', 'preformatted', 'disk almost full\n/var 91%');
    await addMessage(s.r1, 'info', 'table', 'a    b');
    await addMessage(s.r2, 'error', 'text', 'not mine');
    const at = ago(10 * DAY);
    await addCommand(s.r1, 'cat /etc/os-release', {
      exitCode: 0,
      stdout: 'PRETTY_NAME="Debian GNU/Linux 12"\n',
      at,
      ms: 120,
    });
    await addCommand(s.r1, 'uptime', {
      exitCode: 0,
      stdout: ' 10:00 up 10 days\n',
      stderr: 'warning: clock skew\n',
      at: new Date(at.getTime() + 200),
      ms: 30,
    });
    const record = await history.get(s.r1);
    expect(record).toMatchObject({
      id: s.r1,
      session: 'ServerInfo',
      hostName: 'web-1',
      procInfo: 'completed in 1.2 seconds',
      data: { verbose: true },
    });
    expect(record.messages.map((m) => [m.level, m.kind, m.text])).toEqual([
      ['info', 'text', 'os: Debian 12'],
      ['warning', 'preformatted', 'disk almost full\n/var 91%'],
      ['info', 'table', 'a    b'],
    ]);
    expect(record.messages[2]?.data).toEqual([['a', 'b']]);
    expect(record.messages[0]?.data).toBeNull();
    expect(record.messages[0]?.createdAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    expect(record.commands).toEqual([
      {
        id: expect.any(Number),
        command: 'cat /etc/os-release',
        exitCode: 0,
        signal: null,
        stdout: 'PRETTY_NAME="Debian GNU/Linux 12"\n',
        stderr: '',
        pty: false,
        killed: false,
        timedOut: false,
        status: 'success',
        startedAt: at.toISOString(),
        finishedAt: new Date(at.getTime() + 120).toISOString(),
        durationMs: 120,
        truncated: false,
        outputCut: null,
      },
      expect.objectContaining({ command: 'uptime', status: 'warning', durationMs: 30 }),
    ]);
    const bare = await history.get(s.r6);
    expect(bare).toMatchObject({ messages: [], commands: [], procInfo: 'waiting...' });
  });

  it('says clearly when a record does not exist', async () => {
    await seed();
    await expect(history.get(9999)).rejects.toThrow(NotFoundError);
    await expect(history.get(9999)).rejects.toThrow('session record 9999 does not exist');
    await expect(history.get(Number.NaN)).rejects.toThrow('session record NaN does not exist');
  });

  it('counts a run or a selection as get_session_summary did', async () => {
    const s = await seed();
    expect(await history.summary({ runId: s.run3 })).toEqual({
      all: 2,
      waiting: 0,
      running: 0,
      done: 2,
      success: 0,
      warning: 0,
      // one stopped, one canceled: neither counts as an error
      error: 0,
      stopped: 2,
    });
    expect(await history.summary({ runId: s.run4 })).toEqual({
      all: 3,
      waiting: 1,
      running: 2,
      done: 0,
      success: 0,
      warning: 1,
      error: 0,
      stopped: 0,
    });
    const all = [s.r1, s.r2, s.r3, s.r4, s.r5, s.r6, s.r7, s.r8];
    expect(await history.summary({ ids: [...all, s.r1, 99999] })).toEqual({
      all: 8,
      waiting: 1,
      running: 2,
      done: 5,
      success: 1,
      warning: 2,
      error: 1,
      stopped: 2,
    });
    expect(await history.summary({ ids: [] })).toEqual({
      all: 0,
      waiting: 0,
      running: 0,
      done: 0,
      success: 0,
      warning: 0,
      error: 0,
      stopped: 0,
    });
  });

  it('purges records older than a date with their commands and messages, and empty runs', async () => {
    const web1 = await project.hosts.add({ name: 'web-1' });
    const target = {
      session: 'DiskUsage',
      model: 'Host',
      objectId: web1.id,
      objectLabel: 'web-1',
      hostId: web1.id,
      hostName: 'web-1',
    };
    const oldRun = await addRun('DiskUsage', 'Host', ago(400 * DAY));
    const old1 = await addRecord({
      ...target,
      runId: oldRun,
      processState: 'completed',
      result: 'success',
      createdAt: ago(400 * DAY),
      durationMs: 10,
    });
    const old2 = await addRecord({
      ...target,
      runId: oldRun,
      processState: 'failed',
      result: 'error',
      createdAt: ago(400 * DAY),
    });
    // A session left "running" long ago (a crash): kept unless asked for.
    const stuckRun = await addRun('DiskUsage', 'Host', ago(200 * DAY));
    const stuck = await addRecord({
      ...target,
      runId: stuckRun,
      processState: 'running',
      result: null,
      createdAt: ago(200 * DAY),
    });
    // A run that spans the cut-off keeps its newer record and itself.
    const spanRun = await addRun('DiskUsage', 'Host', ago(31 * DAY));
    const spanOld = await addRecord({
      ...target,
      runId: spanRun,
      processState: 'completed',
      result: 'success',
      createdAt: ago(31 * DAY),
    });
    const spanNew = await addRecord({
      ...target,
      runId: spanRun,
      processState: 'completed',
      result: 'success',
      createdAt: ago(29 * DAY),
    });
    const newRun = await addRun('DiskUsage', 'Host', ago(DAY));
    const fresh = await addRecord({
      ...target,
      runId: newRun,
      processState: 'completed',
      result: 'warning',
      createdAt: ago(DAY),
    });
    // A run that has not written its records yet is newer than any cut-off and must stay.
    const emptyNewRun = await addRun('DiskUsage', 'Host', now);
    for (const id of [old1, old2, fresh]) {
      await addMessage(id, 'info', 'text', `message of ${id}`);
      await addCommand(id, 'df -h', {
        exitCode: 0,
        stdout: '/dev/sda1 50%\n',
        at: ago(DAY),
        ms: 5,
      });
    }

    const cutoff = ago(30 * DAY);
    expect(await history.purgeable(cutoff)).toBe(3);
    expect(await history.purge(cutoff)).toBe(3);
    expect(ids((await history.list()).items)).toEqual([fresh, spanNew, stuck]);
    const { db } = project.database;
    const count = async (table: string) =>
      Number(
        (
          (await db
            .selectFrom(table)
            .select((eb) => eb.fn.countAll().as('n'))
            .executeTakeFirstOrThrow()) as { n: number | string }
        ).n,
      );
    expect(await count('minke_messages')).toBe(1);
    expect(await count('minke_commands')).toBe(1);
    expect((await history.get(fresh)).messages.map((m) => m.text)).toEqual([`message of ${fresh}`]);
    const runs = (await db.selectFrom('minke_runs').select('id').orderBy('id').execute()).map(
      (row) => Number(row.id),
    );
    expect(runs).toEqual([stuckRun, spanRun, newRun, emptyNewRun]);
    expect(ids((await history.list({ runId: spanRun })).items)).toEqual([spanNew]);
    await expect(history.get(spanOld)).rejects.toThrow(NotFoundError);

    // Nothing more to purge at that age; active records go only when asked.
    expect(await history.purge(cutoff)).toBe(0);
    expect(await history.purge(cutoff, { includeActive: true })).toBe(1);
    expect(ids((await history.list()).items)).toEqual([fresh, spanNew]);
    const left = (await db.selectFrom('minke_runs').select('id').orderBy('id').execute()).map(
      (row) => Number(row.id),
    );
    expect(left).toEqual([spanRun, newRun, emptyNewRun]);
  });
});

describe('procInfo', () => {
  it('words each process state as the original did', () => {
    expect(procInfo('initialized', null)).toBe('waiting...');
    expect(procInfo('running', null)).toBe('running...');
    expect(procInfo('completed', 1250)).toBe('completed in 1.3 seconds');
    expect(procInfo('completed', null)).toBe('completed');
    expect(procInfo('stopping', null)).toBe('stopping...');
    expect(procInfo('stopped', 3000)).toBe('stopped after 3.0 seconds');
    expect(procInfo('canceled', 5)).toBe('canceled!');
    expect(procInfo('failed', 5)).toBe('failed!');
  });
});
