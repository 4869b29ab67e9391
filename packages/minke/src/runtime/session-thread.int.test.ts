import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { getPriority, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  builtMinke,
  exited,
  prepareLocalHost,
  printed,
  writeProject,
} from '../../test-support/project-folder.js';
import { readEvents } from '../../test-support/api-sse.js';
import { processComesTo } from '../../test-support/processes.js';
import { freePort } from '../../test-support/redis.js';
import { spawnBuiltCli } from '../../test-support/run-cli.js';

// `minke start` runs a project's sessions in a worker thread of its own (executor.thread): the
// sessions run there, their events reach the API's event stream, stops and kills reach them, and
// a session's stray exception ends that thread, not the server.
const sessions = `
import { existsSync, rmSync } from 'node:fs';
import { getPriority, tmpdir } from 'node:os';
import { join } from 'node:path';
import { isMainThread } from 'node:worker_threads';
import { Session } from 'minke';

export class Where extends Session {
  static override workOn = ['Host'];
  override async process() {
    const where = isMainThread ? 'in the main thread' : 'in a session thread';
    await this.addMsg(\`\${where} at nice \${getPriority(0)}\`);
    await this.run('echo ran on $(hostname)');
  }
}

export class Nap extends Session {
  static override workOn = ['Host'];
  override async process() {
    await this.run('echo napping; sleep 30');
  }
}

export class Spin extends Session {
  static override workOn = ['Host'];
  override async process() {
    await this.addMsg('spinning');
    // A loop without an await: nothing else in the thread runs until it ends (40 s at most).
    const until = Date.now() + 40_000;
    while (Date.now() < until);
  }
}

export class Stray extends Session {
  static override workOn = ['Host'];
  override async process() {
    // A bug of the kind that ends a Node process: an exception outside any promise, here once
    // the command runs (it leaves a mark), so that the thread dies with it running.
    const mark = join(tmpdir(), \`minke-stray-\${process.pid}-\${Date.now()}\`);
    let checks = 0;
    const timer = setInterval(() => {
      if (++checks > 400) clearInterval(timer);
      if (!existsSync(mark)) return;
      clearInterval(timer);
      rmSync(mark);
      throw new Error('a stray exception from a session');
    }, 25);
    await this.run(\`touch \${mark}; sleep 29.25\`);
  }
}
`;

const tmp = mkdtempSync(join(tmpdir(), 'minke-session-thread-'));

afterAll(() => rmSync(tmp, { recursive: true, force: true }));

interface RunReply {
  id: number;
  state: string;
  sessions: {
    id: number;
    processState: string;
    result: string | null;
  }[];
}

/** A `minke start` on a project of the sessions above, with a token to call its API. */
class Server {
  private child: ChildProcess | undefined;
  output = '';
  url = '';

  constructor(
    readonly dir: string,
    private readonly token: string,
    private readonly env: Record<string, string> = {},
  ) {}

  async start(): Promise<void> {
    const port = await freePort();
    this.child = spawnBuiltCli(['--project', this.dir, 'start', '--port', String(port)], {
      env: { MINKE_MQTT_PORT: '0', ...this.env },
    });
    this.child.stdout?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    this.child.stderr?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    await printed(this.child, 'press Ctrl-C', 90_000);
    this.url = `http://127.0.0.1:${port}`;
  }

  async stop(): Promise<number | null> {
    if (!this.child) return null;
    this.child.kill('SIGTERM');
    return exited(this.child, 60_000);
  }

  async call<T>(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; body: T }> {
    const response = await fetch(`${this.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${this.token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, body: (await response.json()) as T };
  }

  async run(session: string): Promise<number> {
    const created = await this.call<{ id: number }>('POST', '/api/runs', {
      session,
      model: 'Host',
      ids: ['local1'],
    });
    expect(created.status).toBe(201);
    return created.body.id;
  }

  /** Polls the run (bounded: 60 s) until `done` holds; returns the last look. */
  async runWhen(runId: number, done: (run: RunReply) => boolean): Promise<RunReply> {
    let run = (await this.call<RunReply>('GET', `/api/runs/${runId}`)).body;
    for (let attempt = 0; attempt < 120 && !done(run); attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      run = (await this.call<RunReply>('GET', `/api/runs/${runId}`)).body;
    }
    return run;
  }

  /** The run's events from the start, as the event stream sends them, up to its end (or `until`). */
  async events(
    runId: number,
    until: (event: { event?: string; data: string }) => boolean = (event) =>
      event.event === 'run.finished',
  ): Promise<{ type: string; chunk?: string }[]> {
    const read = await readEvents(`${this.url}/api/events?run=${runId}&since=0`, {
      headers: { authorization: `Bearer ${this.token}` },
      until,
    });
    return read.events.map((event) => JSON.parse(event.data) as { type: string; chunk?: string });
  }
}

async function projectWithToken(
  name: string,
  config = '',
): Promise<{ dir: string; token: string }> {
  const dir = join(tmp, name);
  writeProject(dir, {
    config: `database: 'sqlite:data.db', sessions: [Where, Nap, Stray, Spin]${config}`,
    sessions,
    sessionNames: ['Where', 'Nap', 'Stray', 'Spin'],
  });
  await prepareLocalHost(dir);
  const created = await builtMinke(dir, ['users', 'create', 'ops', '--superuser'], {
    MINKE_PASSWORD: 'a long enough password',
  });
  expect(created.code, created.stderr).toBe(0);
  const token = await builtMinke(dir, ['tokens', 'create', '--user', 'ops']);
  expect(token.code, token.stderr).toBe(0);
  return { dir, token: token.stdout.trim() };
}

describe('minke start: sessions in a thread of their own', { timeout: 240_000 }, () => {
  let server: Server;
  beforeAll(async () => {
    const { dir, token } = await projectWithToken('threaded');
    // A thread silent for 3 s is taken for stuck (60 s by default).
    server = new Server(dir, token, { MINKE_EXECUTOR_THREAD_STALL_SECONDS: '3' });
    await server.start();
  }, 180_000);
  afterAll(async () => {
    expect(await server.stop()).toBe(0);
  }, 90_000);

  it('says so at start, runs the session there, and streams its events', async () => {
    expect(server.output).toContain('sessions: run in a thread of this process');
    const runId = await server.run('Where');
    const run = await server.runWhen(runId, (r) => r.state === 'finished');
    expect(run.sessions.map((s) => [s.processState, s.result])).toEqual([['completed', 'success']]);
    const history = await builtMinke(server.dir, ['history', 'show', String(run.sessions[0]?.id)]);
    // Below the server's thread (nice +10 by default), so that the API comes first.
    expect(history.stdout).toContain(
      `in a session thread at nice ${Math.min(19, getPriority() + 10)}`,
    );
    expect(history.stdout).not.toContain('in the main thread');
    const events = await server.events(runId);
    expect(events.map((event) => event.type)).toEqual(
      expect.arrayContaining(['run.started', 'command.started', 'output', 'run.finished']),
    );
    expect(events.some((event) => event.chunk?.includes('ran on'))).toBe(true);
    // Counted in the thread, shown by the server's /metrics.
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metrics).toMatch(/^minke_commands_total\{status="success"\} 1$/m);
    // The server's own answers, timed by route pattern: the run was started and read back.
    expect(metrics).toMatch(
      /^minke_http_request_duration_seconds_count\{method="POST",route="\/api\/runs",status="201"\} 1$/m,
    );
    expect(metrics).toMatch(
      /^minke_http_request_duration_seconds_count\{method="GET",route="\/api\/runs\/:id",status="200"\} [1-9]\d*$/m,
    );
  });

  it('stops a running session, then kills its command, through the thread', async () => {
    const runId = await server.run('Nap');
    // Its command has started (its first line is out): a stop before that ends the session at
    // once, and the second press finds nothing left to kill.
    const started = await server.events(
      runId,
      (event) => event.event === 'output' && event.data.includes('napping'),
    );
    expect(started.some((event) => event.chunk?.includes('napping'))).toBe(true);
    const first = await server.call<{ outcomes: { outcome: string }[] }>(
      'POST',
      `/api/runs/${runId}/stop`,
      {},
    );
    expect(first.body.outcomes.map((o) => o.outcome)).toEqual(['stopping']);
    const second = await server.call<{ outcomes: { outcome: string }[] }>(
      'POST',
      `/api/runs/${runId}/stop`,
      {},
    );
    expect(second.body.outcomes.map((o) => o.outcome)).toEqual(['killing']);
    // Killed, not waited for: the 30 s sleep would keep it running.
    const ended = await server.runWhen(runId, (r) => r.state === 'finished');
    expect(ended.sessions.map((s) => [s.processState, s.result])).toEqual([['stopped', 'error']]);
  });

  it("a session's stray exception ends the thread, not the server; the next run gets a new thread", async () => {
    const runId = await server.run('Stray');
    const lost = await server.runWhen(runId, (r) => r.state === 'finished');
    expect(lost.sessions.map((s) => [s.processState, s.result])).toEqual([['failed', 'error']]);
    const history = await builtMinke(server.dir, ['history', 'show', String(lost.sessions[0]?.id)]);
    expect(history.stdout).toContain('worker lost');
    expect(server.output).toContain('a stray exception from a session');
    expect(server.output).toContain('the session thread ended (exit code 1)');
    // Its command on the host (a local one here) does not run on without it: the thread's guard
    // ends the command's process group once the thread is gone (TERM, then KILL 2 s later).
    expect(await processComesTo('sleep 29.25', false)).toBe(true);
    // The server kept serving, and runs go on in a new thread.
    const again = await server.run('Where');
    const done = await server.runWhen(again, (r) => r.state === 'finished');
    expect(done.sessions.map((s) => [s.processState, s.result])).toEqual([
      ['completed', 'success'],
    ]);
  });

  it('terminates a thread held by a session that never yields; the next run gets a new thread', async () => {
    const started = Date.now();
    const runId = await server.run('Spin');
    const lost = await server.runWhen(runId, (r) => r.state === 'finished');
    // Not the 40 s the loop would take: the watchdog's 3 s, and the reaper's next look.
    expect(Date.now() - started).toBeLessThan(25_000);
    expect(lost.sessions.map((s) => [s.processState, s.result])).toEqual([['failed', 'error']]);
    const history = await builtMinke(server.dir, ['history', 'show', String(lost.sessions[0]?.id)]);
    expect(history.stdout).toContain('spinning');
    expect(history.stdout).toContain(
      'worker lost: the process (or session thread) that ran it is gone; the server log says why',
    );
    expect(server.output).toMatch(
      /the session thread has not answered for \d+ s: a session that never yields \(a loop without an await\?\) holds it; terminating it/,
    );
    const again = await server.run('Where');
    const done = await server.runWhen(again, (r) => r.state === 'finished');
    expect(done.sessions.map((s) => [s.processState, s.result])).toEqual([
      ['completed', 'success'],
    ]);
  });
});

describe('minke start with executor.thread off', { timeout: 240_000 }, () => {
  it('runs sessions in the main thread, and says so', async () => {
    const { dir, token } = await projectWithToken('unthreaded', ', executor: { thread: false }');
    const server = new Server(dir, token);
    await server.start();
    try {
      expect(server.output).toContain('sessions: run in this process');
      const runId = await server.run('Where');
      const run = await server.runWhen(runId, (r) => r.state === 'finished');
      const history = await builtMinke(dir, ['history', 'show', String(run.sessions[0]?.id)]);
      expect(history.stdout).toContain(`in the main thread at nice ${getPriority()}`);
    } finally {
      expect(await server.stop()).toBe(0);
    }
  });

  it('MINKE_EXECUTOR_THREAD=0 turns it off too; a bad value is a clear error', async () => {
    const { dir, token } = await projectWithToken('env-off');
    const server = new Server(dir, token, { MINKE_EXECUTOR_THREAD: '0' });
    await server.start();
    expect(server.output).toContain('sessions: run in this process');
    expect(await server.stop()).toBe(0);
    const bad = await builtMinke(dir, ['start', '--port', '0'], {
      MINKE_EXECUTOR_THREAD: 'maybe',
      MINKE_MQTT_PORT: '0',
    });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('MINKE_EXECUTOR_THREAD="maybe": expected true or false');
  });
});
