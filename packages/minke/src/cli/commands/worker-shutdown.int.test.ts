import type { ChildProcess } from 'node:child_process';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  deleteRedisPrefix,
  freePort,
  REDIS_URL,
  uniqueRedisPrefix,
} from '../../../test-support/redis.js';
import { runCli, spawnCli } from '../../../test-support/run-cli.js';
import { eventSeen, runFinished } from '../../../test-support/run-waiter.js';
import { loadProjectConfig } from '../../runtime/load-project.js';
import { startRun } from '../../operations/start-run.js';
import { openProject } from '../../runtime/open-project.js';
import { createRuntime } from '../../runtime/runtime.js';
import { SessionHistory } from '../../runs/history.js';

const tmp = mkdtempSync(join(tmpdir(), 'minke-worker-stop-'));
const dir = join(tmp, 'p');
/** The first session waits until this file exists (bounded): the test decides when it ends. */
const gate = join(tmp, 'gate');
const prefix = uniqueRedisPrefix();
const queued = { MINKE_REDIS_URL: REDIS_URL, MINKE_QUEUE_PREFIX: prefix };
const minke = (args: string[]) => runCli(['--project', dir, ...args], { env: queued });

beforeAll(async () => {
  expect((await runCli(['init', dir])).code).toBe(0);
  // Several sites per host: the sessions of one host run one after another, in one batch.
  appendFileSync(
    join(dir, 'models.ts'),
    `
export const Site = defineModel('Site', {
  fields: { host: f.ref('Host'), name: f.text() },
  hostLookup: 'host',
  display: ['name'],
  ordering: ['name'],
});
`,
  );
  appendFileSync(
    join(dir, 'sessions.ts'),
    `
import { Site } from './models.js';

/** Waits for the gate (at most 30 s), then says which site it served. */
export class Gated extends SingleCommandSession {
  static override workOn = [Site];
  static override command =
    "i=0; while [ ! -e '${gate}' ] && [ $i -lt 600 ]; do sleep 0.05; i=$((i+1)); done; echo site {name}";
}
`,
  );
  const config = join(dir, 'minke.config.ts');
  writeFileSync(
    config,
    readFileSync(config, 'utf8')
      .replace(
        "import { Server } from './models.js';",
        "import { Server, Site } from './models.js';",
      )
      .replace(
        "import { DiskUsage, ServerInfo } from './sessions.js';",
        "import { DiskUsage, Gated, ServerInfo } from './sessions.js';",
      )
      .replace('models: [Server],', 'models: [Server, Site],')
      .replace('sessions: [ServerInfo, DiskUsage],', 'sessions: [ServerInfo, DiskUsage, Gated],'),
  );
  expect((await minke(['migrate'])).code).toBe(0);
  expect((await minke(['hosts', 'add', 'local', '--config', 'transport: local'])).code).toBe(0);
  writeFileSync(
    join(tmp, 'sites.yaml'),
    'records:\n  Site:\n    - { host: local, name: first }\n    - { host: local, name: second }\n',
  );
  expect((await minke(['load', join(tmp, 'sites.yaml')])).code).toBe(0);
});
afterAll(async () => {
  await deleteRedisPrefix(REDIS_URL, prefix);
  rmSync(tmp, { recursive: true, force: true });
});

/** Collects what a child prints; `waitFor` resolves once `text` has appeared (bounded). */
function output(child: ChildProcess) {
  let stdout = '';
  const waiting = new Set<() => void>();
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    for (const check of [...waiting]) check();
  });
  return {
    text: () => stdout,
    waitFor: (text: string, timeoutMs = 30_000) =>
      new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => {
          waiting.delete(check);
          reject(new Error(`no "${text}" in: ${stdout}`));
        }, timeoutMs);
        const check = () => {
          if (!stdout.includes(text)) return;
          clearTimeout(timer);
          waiting.delete(check);
          resolve(stdout);
        };
        waiting.add(check);
        check();
      }),
  };
}

function exited(child: ChildProcess, timeoutMs = 30_000): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve(child.exitCode);
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
}

describe('minke worker stopping gracefully', { timeout: 120_000 }, () => {
  it('on SIGTERM finishes the running session and hands the next back to another worker', async () => {
    const metricsPort = await freePort();
    const first = spawnCli(
      ['--project', dir, 'worker', '--concurrency', '1', '--metrics-port', String(metricsPort)],
      { env: queued },
    );
    const firstOut = output(first);
    const workers = [first];
    const project = await openProject(await loadProjectConfig(dir, { ...process.env, ...queued }));
    const runtime = createRuntime(project, { quiet: true, role: 'client' });
    try {
      expect(await firstOut.waitFor('press Ctrl-C')).toContain(
        `metrics: http://127.0.0.1:${metricsPort}/metrics`,
      );
      await runtime.bus.ready();
      const started = await startRun(runtime, { session: 'Gated', model: 'Site', all: true });
      const [one, two] = started.records.map((r) => r.recordId) as [number, number];
      await eventSeen(
        runtime.bus,
        started.runId,
        (e) => e.type === 'session.state' && e.recordId === one && e.processState === 'running',
      );
      const scraped = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
      expect(scraped.status).toBe(200);
      expect(await scraped.text()).toContain('minke_worker_sessions_running 1\n');

      first.kill('SIGTERM');
      await firstOut.waitFor('stopping: 1 running session(s) may finish within 60 s');
      writeFileSync(gate, ''); // the running session may now end
      expect(await exited(first)).toBe(0);
      expect(firstOut.text()).toMatch(/stopped\n$/);

      const history = new SessionHistory(project.database);
      // The session that ran finished normally; the one that had not started waits again.
      expect(await history.get(one)).toMatchObject({
        processState: 'completed',
        result: 'success',
      });
      expect(await history.get(two)).toMatchObject({ processState: 'initialized' });
      expect((await history.get(one)).messages.map((m) => m.text).join('\n')).not.toContain(
        'killed',
      );

      const second = spawnCli(['--project', dir, 'worker'], { env: queued });
      workers.push(second);
      const secondOut = output(second);
      const events = await runFinished(runtime.bus, started.runId, 60_000);
      expect(events.at(-1)).toMatchObject({
        type: 'run.finished',
        summary: { all: 2, success: 2, done: 2 },
      });
      const handedBack = await history.get(two);
      expect(handedBack).toMatchObject({ processState: 'completed', result: 'success' });
      expect(handedBack.commands[0]?.stdout).toBe('site second\n');
      expect((await history.get(one)).commands).toHaveLength(1);
      // No waiting for its banner: it took the session, so a stop now must be graceful too.
      second.kill('SIGTERM');
      expect(await exited(second)).toBe(0);
      expect(secondOut.text()).toMatch(/stopped\n$/);
    } finally {
      for (const worker of workers) worker.kill('SIGKILL');
      await runtime.close();
      await project.close();
    }
  });
});
