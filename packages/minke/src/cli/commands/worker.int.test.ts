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
import { runFinished } from '../../../test-support/run-waiter.js';
import { loadProjectConfig } from '../../runtime/load-project.js';
import { startRun } from '../../operations/start-run.js';
import { openProject } from '../../runtime/open-project.js';
import { createRuntime } from '../../runtime/runtime.js';
import { SessionHistory } from '../../runs/history.js';

const tmp = mkdtempSync(join(tmpdir(), 'minke-worker-cli-'));
const dir = join(tmp, 'p');
const prefix = uniqueRedisPrefix();
const queued = { MINKE_REDIS_URL: REDIS_URL, MINKE_QUEUE_PREFIX: prefix };
const minke = (args: string[], env: Record<string, string> = {}) =>
  runCli(['--project', dir, ...args], { env });

beforeAll(async () => {
  expect((await runCli(['init', dir])).code).toBe(0);
  // A session that never yields, beside the scaffolded ones.
  appendFileSync(
    join(dir, 'sessions.ts'),
    `
export class Spin extends Session {
  static override workOn = [Server];
  override async process() {
    const until = Date.now() + 60_000;
    while (Date.now() < until) {}
  }
}
`,
  );
  const config = join(dir, 'minke.config.ts');
  writeFileSync(
    config,
    readFileSync(config, 'utf8')
      .replace(
        "import { DiskUsage, ServerInfo } from './sessions.js';",
        "import { DiskUsage, ServerInfo, Spin } from './sessions.js';",
      )
      .replace('sessions: [ServerInfo, DiskUsage]', 'sessions: [ServerInfo, DiskUsage, Spin]'),
  );
  expect((await minke(['migrate'])).code).toBe(0);
  expect((await minke(['hosts', 'add', 'local', '--config', 'transport: local'])).code).toBe(0);
  writeFileSync(join(tmp, 'servers.yaml'), 'records:\n  Server:\n    - { host: local }\n');
  expect((await minke(['load', join(tmp, 'servers.yaml')])).code).toBe(0);
});
afterAll(async () => {
  await deleteRedisPrefix(REDIS_URL, prefix);
  rmSync(tmp, { recursive: true, force: true });
});

/** Resolves with what the child printed once `text` appears (bounded). */
function printed(child: ChildProcess, text: string, timeoutMs = 30_000): Promise<string> {
  let stdout = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "${text}" in: ${stdout}`)), timeoutMs);
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (!stdout.includes(text)) return;
      clearTimeout(timer);
      resolve(stdout);
    });
  });
}

function exited(child: ChildProcess, timeoutMs = 30_000): Promise<number | null> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
}

describe('minke worker and minke serve', { timeout: 120_000 }, () => {
  it('runs the sessions a client queues, and stops on SIGTERM', async () => {
    const worker = spawnCli(['--project', dir, 'worker', '--concurrency', '2'], { env: queued });
    try {
      const banner = await printed(worker, 'press Ctrl-C');
      expect(banner).toMatch(/^worker \S+ runs sessions of .* \(2 hosts at once\)$/m);
      // This process only queues and watches: the worker runs the session.
      const project = await openProject(
        await loadProjectConfig(dir, { ...process.env, ...queued }),
      );
      const runtime = createRuntime(project, { quiet: true, role: 'client' });
      try {
        await runtime.bus.ready();
        const started = await startRun(runtime, {
          session: 'DiskUsage',
          model: 'Host',
          ids: ['local'],
        });
        const events = await runFinished(runtime.bus, started.runId, 60_000);
        expect(events.at(-1)).toMatchObject({ type: 'run.finished', summary: { success: 1 } });
        const record = await new SessionHistory(project.database).get(
          started.records[0]?.recordId as number,
        );
        expect(record.commands[0]?.command).toBe('df -h');
      } finally {
        await runtime.close();
        await project.close();
      }
      const stopped = printed(worker, 'stopped');
      worker.kill('SIGTERM');
      expect(await exited(worker)).toBe(0);
      expect(await stopped).toMatch(/stopping: 0 running session\(s\) may finish within 60 s/);
    } finally {
      worker.kill('SIGKILL');
    }
  });

  it('is killed, saying why, when a session never yields and holds its event loop', async () => {
    const worker = spawnCli(['--project', dir, 'worker'], {
      env: { ...queued, MINKE_EXECUTOR_THREAD_STALL_SECONDS: '2' },
    });
    let stderr = '';
    worker.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    try {
      await printed(worker, 'press Ctrl-C');
      const project = await openProject(
        await loadProjectConfig(dir, { ...process.env, ...queued }),
      );
      const runtime = createRuntime(project, { quiet: true, role: 'client' });
      try {
        await runtime.bus.ready();
        await startRun(runtime, { session: 'Spin', model: 'Server', all: true });
        const gone = new Promise<NodeJS.Signals | null>((resolve) =>
          worker.once('exit', (_code, signal) => resolve(signal)),
        );
        // Killed a few seconds into the session's 60 s loop: a service manager starts it again.
        expect(await Promise.race([gone, new Promise((r) => setTimeout(r, 30_000))])).toBe(
          'SIGKILL',
        );
      } finally {
        await runtime.close();
        await project.close();
      }
      expect(stderr).toMatch(
        /^minke: minke worker has not run its event loop for [23] s: a session that never yields \(a loop without an await\?\) holds it; killing the process \(its sessions end "worker lost"\)$/m,
      );
    } finally {
      worker.kill('SIGKILL');
    }
  });

  it('refuses to start a worker without the BullMQ executor, or with a bad flag (exit 2)', async () => {
    const inProcess = await minke(['worker']);
    expect(inProcess.code).toBe(2);
    expect(inProcess.stderr).toContain('minke worker needs the BullMQ executor');
    const flag = await minke(['worker', '--concurrency', 'many'], queued);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toContain('--concurrency "many": expected a whole number');
  });

  it('serves without running sessions, and stops on SIGTERM', async () => {
    const port = String(await freePort());
    const server = spawnCli(['--project', dir, 'serve', '--port', port], {
      env: { ...queued, MINKE_MQTT_PORT: '0' },
    });
    try {
      const banner = await printed(server, 'press Ctrl-C');
      expect(banner).toContain('sessions: queued for minke worker processes');
      const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
      expect(ready.status).toBe(200);
      server.kill('SIGTERM');
      expect(await exited(server)).toBe(0);
    } finally {
      server.kill('SIGKILL');
    }
  });
});
