import type { ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deleteRedisPrefix, REDIS_URL, uniqueRedisPrefix } from '../../../test-support/redis.js';
import { spawnCli } from '../../../test-support/run-cli.js';
import { followEvents, type FollowedStream, type SseEvent } from '../../../test-support/api-sse.js';
import { ApiTokenStore } from '../../auth/api-token-store.js';
import { loadProjectConfig } from '../../runtime/load-project.js';
import { silentLogger } from '../../logger.js';
import { openProject, type OpenedProject } from '../../runtime/open-project.js';
import { createRuntime, type Runtime } from '../../runtime/runtime.js';
import { SessionHistory } from '../../runs/history.js';
import { buildServer } from '../../server/build-server.js';

/**
 * A server restarted while a browser follows a run: two API servers (as `minke serve` would be,
 * behind a load balancer) queue on BullMQ and share the Redis event bus; a `minke worker`
 * process runs a session that prints numbered lines. The client follows the run on server A,
 * A goes away, the client resumes on B with Last-Event-ID, B goes away, A comes back on its
 * port, and the client resumes there: every line arrives once, in order, and the run completes.
 */
const lines = 60;
const tmp = mkdtempSync(join(tmpdir(), 'minke-server-restart-'));
const dir = join(tmp, 'project');
const prefix = uniqueRedisPrefix();
const env = { MINKE_REDIS_URL: REDIS_URL, MINKE_QUEUE_PREFIX: prefix };
const cleanups: (() => Promise<unknown>)[] = [];
let token = '';

const projectFiles: Record<string, string> = {
  'package.json': '{ "private": true, "type": "module" }\n',
  'minke.config.ts': `import { defineConfig, SingleCommandSession } from 'minke';

/** ${lines} numbered lines, a tenth of a second apart: a run long enough to restart a server in. */
export class Numbered extends SingleCommandSession {
  static override workOn = ['Host'];
  static override command =
    'i=1; while [ $i -le ${lines} ]; do echo "line $i"; i=$((i + 1)); sleep 0.1; done';
}

export default defineConfig({ database: 'sqlite:minke.db', sessions: [Numbered] });
`,
};

async function openHandle(migrate = false): Promise<OpenedProject> {
  const { MINKE_DATABASE_URL: _ignored, ...inherited } = process.env;
  return openProject(await loadProjectConfig(dir, { ...inherited, ...env }), { migrate });
}

interface RunningServer {
  base: string;
  port: number;
  runtime: Runtime;
  close(): Promise<void>;
}

/** One `minke serve`: its own project handle, event bus connection and queue client. */
async function startServer(port = 0): Promise<RunningServer> {
  const project = await openHandle();
  const runtime = createRuntime(project, { quiet: true, role: 'server' });
  // As serve-project.ts does: the event routes read what the bus holds when they are built.
  await runtime.bus.ready();
  const app: FastifyInstance = await buildServer({
    project,
    runtime,
    logger: silentLogger,
    webRoot: null,
  });
  const base = await app.listen({ host: '127.0.0.1', port });
  let closed: Promise<void> | undefined;
  const close = () =>
    (closed ??= (async () => {
      await app.close();
      await runtime.close();
      await project.close();
    })());
  cleanups.push(close);
  return { base, port: Number(new URL(base).port), runtime, close };
}

/** Resolves once the child printed `text` (bounded). */
function printed(child: ChildProcess, text: string, timeoutMs = 30_000): Promise<void> {
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "${text}" in: ${output}`)), timeoutMs);
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (!output.includes(text)) return;
      clearTimeout(timer);
      resolve();
    });
  });
}

beforeAll(async () => {
  mkdirSync(dir);
  for (const [name, text] of Object.entries(projectFiles)) writeFileSync(join(dir, name), text);
  const project = await openHandle(true);
  try {
    await project.hosts.add({ name: 'local', config: { transport: 'local' } });
    const user = await project.users.create({
      username: 'root',
      password: 'x'.repeat(12),
      superuser: true,
    });
    token = (await new ApiTokenStore(project.database).create({ userId: user.id, name: 'test' }))
      .token;
  } finally {
    await project.close();
  }
  const worker = spawnCli(['--project', dir, 'worker', '--concurrency', '2'], { env });
  cleanups.push(async () => {
    if (worker.exitCode !== null || worker.signalCode !== null) return;
    const exited = new Promise((resolve) => worker.once('exit', resolve));
    worker.kill('SIGTERM');
    const timer = setTimeout(() => worker.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
  });
  await printed(worker, 'press Ctrl-C');
}, 60_000);

afterAll(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
  await deleteRedisPrefix(REDIS_URL, prefix);
  rmSync(tmp, { recursive: true, force: true });
});

type Payload = { seq: number; firstSeq?: number; chunk?: string; summary?: unknown };
const payload = (event: SseEvent) => JSON.parse(event.data) as Payload;
const outputOf = (events: SseEvent[]) =>
  events
    .filter((e) => e.event === 'output')
    .map((e) => payload(e).chunk ?? '')
    .join('');
const linesIn = (events: SseEvent[]) => outputOf(events).split('\n').length - 1;

describe('a server restarted while a client follows a run', { timeout: 120_000 }, () => {
  it('resumes on another server, then on the restarted one, losing and repeating nothing', async () => {
    const a = await startServer();
    const b = await startServer();
    const headers = { authorization: `Bearer ${token}` };
    const started = await fetch(`${a.base}/api/runs`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body: JSON.stringify({ session: 'Numbered', model: 'Host', ids: ['local'] }),
    });
    expect(started.status).toBe(201);
    const runId = ((await started.json()) as { id: number }).id;

    /** Follows the run on `server` from `lastId`; closes the server once `cutAfter` lines came. */
    const follow = async (server: RunningServer, lastId: string | undefined, cutAfter?: number) => {
      let closing: Promise<void> | undefined;
      const stream = await followEvents(
        `${server.base}/api/events?run=${runId}${lastId === undefined ? '&since=0' : ''}`,
        {
          headers: lastId === undefined ? headers : { ...headers, 'last-event-id': lastId },
          onEvent: (_event, all) => {
            if (cutAfter !== undefined && !closing && linesIn(all) >= cutAfter)
              closing = server.close();
          },
          stopWhen: (event) => event.event === 'run.finished',
        },
      );
      await closing;
      return stream;
    };

    // On A from the start; A goes away after 5 lines.
    const onA = await follow(a, undefined, 5);
    expect(onA).toMatchObject({ status: 200, end: 'server closed' });
    expect(onA.events[0]?.event).toBe('run.started');
    await expect(fetch(`${a.base}/healthz`)).rejects.toThrow();
    // The browser reconnects (the load balancer sends it to B) with its last id; B goes too.
    const onB = await follow(b, onA.lastId, 5);
    expect(onB).toMatchObject({ status: 200, end: 'server closed' });
    // A is back on its port; the browser resumes there and sees the run to its end.
    const restarted = await startServer(a.port);
    const onA2 = await follow(restarted, onB.lastId);
    expect(onA2).toMatchObject({ status: 200, end: 'stopped' });

    const streams: FollowedStream[] = [onA, onB, onA2];
    const all = streams.flatMap((s) => s.events);
    // Each connection went on where the previous one stopped, and saw something new.
    for (const [i, stream] of streams.entries()) {
      expect(linesIn(stream.events), `connection ${i + 1}`).toBeGreaterThan(0);
      if (i === 0) continue;
      const first = payload(stream.events[0] as SseEvent);
      expect(first.firstSeq ?? first.seq).toBeGreaterThan(Number(streams[i - 1]?.lastId));
    }
    // Nothing repeated, nothing out of order, no "reset" (nothing was lost to the restarts).
    const seqs = all.map((e) => payload(e));
    seqs.forEach((event, i) => {
      if (i > 0) expect(event.firstSeq ?? event.seq).toBeGreaterThan(seqs[i - 1]?.seq as number);
    });
    expect(all.map((e) => e.event)).not.toContain('reset');
    // Every line, once, in order: what the browser shows is what the host printed.
    const expected = Array.from({ length: lines }, (_, i) => `line ${i + 1}\n`).join('');
    expect(outputOf(all)).toBe(expected);
    expect(all.at(-1)).toMatchObject({ event: 'run.finished' });
    expect(payload(all.at(-1) as SseEvent).summary).toMatchObject({ success: 1 });

    // The run as stored: completed, the whole output.
    const history = new SessionHistory(restarted.runtime.project.database);
    const page = await history.list({ runId, limit: 10 });
    expect(page.items).toHaveLength(1);
    const record = await history.get(page.items[0]?.id as number);
    expect(record).toMatchObject({ processState: 'completed', result: 'success' });
    expect(record.commands[0]?.stdout).toBe(expected);
  });
});
