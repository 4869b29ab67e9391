import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunRollout } from '@minke/contract';
import { POSTGRES_URL } from '../../test-support/databases.js';
import { builtMinke, exited, printed, writeProject } from '../../test-support/project-folder.js';
import {
  deleteRedisPrefix,
  freePort,
  REDIS_URL,
  uniqueRedisPrefix,
} from '../../test-support/redis.js';
import { spawnBuiltCli } from '../../test-support/run-cli.js';
import { loadProjectConfig } from '../runtime/load-project.js';
import { openProject } from '../runtime/open-project.js';

/**
 * A 20-host rolling run through the built `minke run --batch 25% --max-fail 10%`: batches of 5,
 * two failures allowed. Hosts named fail-* fail (their command exits 3): one in batch 1, two in
 * batch 2, so the budget is spent after batch 2 and the ten hosts of batches 3 and 4 never start:
 * they end canceled with the reason. In-process on SQLite, and on BullMQ with two `minke worker`
 * processes on PostgreSQL + Redis.
 */
const SESSIONS = `import { Session } from 'minke';
export class Roll extends Session {
  static override workOn = ['Host'];
  override async process() {
    const name = String(this.obj.name);
    await this.xrun(name.startsWith('fail-') ? 'echo refusing on purpose; exit 3' : 'echo fine');
  }
}
`;
const FAILING = new Set([3, 6, 8]);
const names = Array.from({ length: 20 }, (_, i) =>
  FAILING.has(i + 1)
    ? `fail-${String(i + 1).padStart(2, '0')}`
    : `ok-${String(i + 1).padStart(2, '0')}`,
);
const REASON = 'failure budget exceeded after 10 of 20: 3 failed, 2 allowed';

interface Backend {
  name: string;
  env(): Record<string, string>;
  setUp(): Promise<void>;
  tearDown(): Promise<void>;
  /** Processes that run sessions besides the CLI (workers). */
  workers: number;
  /** The command that serves the API on this backend. */
  serve: 'start' | 'serve';
}

function inProcess(dir: string): Backend {
  return {
    name: 'in-process, SQLite',
    env: () => ({}),
    setUp: () => Promise.resolve(writeDb(dir, "'sqlite:data.db'")),
    tearDown: () => Promise.resolve(),
    workers: 0,
    serve: 'start',
  };
}

function queued(dir: string): Backend {
  const database = `rollout_${randomBytes(5).toString('hex')}`;
  const prefix = uniqueRedisPrefix();
  const admin = async (sql: string) => {
    const client = new pg.Client({ connectionString: POSTGRES_URL });
    await client.connect();
    await client.query(sql).finally(() => client.end());
  };
  const url = new URL(POSTGRES_URL);
  url.pathname = `/${database}`;
  return {
    name: 'BullMQ, two workers, PostgreSQL + Redis',
    env: () => ({
      MINKE_DATABASE_URL: url.toString(),
      MINKE_REDIS_URL: REDIS_URL,
      MINKE_QUEUE_PREFIX: prefix,
    }),
    setUp: async () => {
      await admin(`CREATE DATABASE ${database}`);
      writeDb(dir, "'sqlite:unused.db'");
    },
    tearDown: async () => {
      await deleteRedisPrefix(REDIS_URL, prefix);
      await admin(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    },
    workers: 2,
    serve: 'serve',
  };
}

function writeDb(dir: string, database: string): void {
  writeProject(dir, {
    config: `database: ${database}, sessions: [Roll]`,
    sessions: SESSIONS,
    sessionNames: ['Roll'],
  });
}

const tmp = mkdtempSync(join(tmpdir(), 'minke-rollout-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe.each([(dir: string) => inProcess(dir), (dir: string) => queued(dir)])(
  'a rolling run with a failure budget (%#)',
  (make) => {
    const dir = mkdtempSync(join(tmp, 'p-'));
    const backend = make(dir);
    const workers: ChildProcess[] = [];
    const minke = (...args: string[]) => builtMinke(dir, args, backend.env(), 120_000);

    beforeAll(async () => {
      await backend.setUp();
      expect((await minke('migrate')).stderr).toBe('');
      const hosts = names.map((name) => `  - { name: ${name}, config: { transport: local } }`);
      writeFileSync(join(tmp, `${backend.workers}-hosts.yaml`), `hosts:\n${hosts.join('\n')}\n`);
      expect((await minke('load', join(tmp, `${backend.workers}-hosts.yaml`))).code).toBe(0);
      for (let i = 0; i < backend.workers; i++) {
        const worker = spawnBuiltCli(['--project', dir, 'worker', '--concurrency', '3'], {
          env: backend.env(),
        });
        workers.push(worker);
        await printed(worker, 'press Ctrl-C', 60_000);
      }
    }, 180_000);

    afterAll(async () => {
      for (const worker of workers) {
        worker.kill('SIGTERM');
        await exited(worker, 30_000);
      }
      await backend.tearDown();
    }, 60_000);

    it(`stops after the budget is spent: ${backend.name}`, async () => {
      const run = await minke(
        'run',
        'Roll',
        '--all',
        '--batch',
        '25%',
        '--max-fail',
        '10%',
        '--json',
      );
      expect(run.stderr).toBe('');
      expect(run.code, run.stdout.slice(0, 3000)).toBe(1); // sessions ended in error
      const outcome = JSON.parse(run.stdout) as {
        runId: number;
        summary: Record<string, number>;
        records: {
          hostName: string;
          processState: string;
          result: string;
          startedAt: string | null;
          finishedAt: string | null;
        }[];
      };
      const byHost = new Map(outcome.records.map((record) => [record.hostName, record]));
      expect(byHost.size).toBe(20);
      // Batches 1 and 2 ran: the fail-* hosts in error, the others fine.
      for (const name of names.slice(0, 10)) {
        const record = byHost.get(name);
        expect(record?.processState, name).not.toBe('canceled');
        expect(record?.result, name).toBe(name.startsWith('fail-') ? 'error' : 'success');
      }
      // Batches 3 and 4 never started.
      for (const name of names.slice(10)) {
        expect(byHost.get(name)).toMatchObject({ processState: 'canceled', startedAt: null });
      }
      // A batch starts only once the one before it is done.
      const batch1 = names.slice(0, 5).map((name) => byHost.get(name));
      const batch2 = names.slice(5, 10).map((name) => byHost.get(name));
      const lastOfFirst = Math.max(...batch1.map((r) => Date.parse(r?.finishedAt ?? '')));
      const firstOfSecond = Math.min(...batch2.map((r) => Date.parse(r?.startedAt ?? '')));
      expect(firstOfSecond).toBeGreaterThanOrEqual(lastOfFirst);

      // The reason is each canceled session's message, and the rollout's state says it too.
      const project = await openProject(
        await loadProjectConfig(dir, { ...process.env, ...backend.env() }),
      );
      try {
        const messages = await project.database.tables
          .selectFrom('minke_messages as m')
          .innerJoin('minke_session_records as r', 'r.id', 'm.session_record_id')
          .select(['r.host_name', 'm.text'])
          .where('r.run_id', '=', outcome.runId)
          .where('r.process_state', '=', 'canceled')
          .execute();
        expect(messages.map((m) => m.host_name).sort()).toEqual(names.slice(10).sort());
        expect(new Set(messages.map((m) => m.text))).toEqual(new Set([REASON]));
        const rollout = await project.database.tables
          .selectFrom('minke_rollouts')
          .selectAll()
          .where('run_id', '=', outcome.runId)
          .executeTakeFirstOrThrow();
        expect(rollout).toMatchObject({
          state: 'budget-exceeded',
          current_batch: 2,
          batch_count: 4,
          batch_size: 5,
          allowed_failures: 2,
          reason: REASON,
        });
        const run = await project.database.tables
          .selectFrom('minke_runs')
          .select('state')
          .where('id', '=', outcome.runId)
          .executeTakeFirstOrThrow();
        expect(run.state).toBe('finished');
      } finally {
        await project.close();
      }
    }, 180_000);

    it(`waits the pause between batches: ${backend.name}`, async () => {
      const run = await minke(
        ...['run', 'Roll', '--all', '--batch', '50%', '--batch-pause', '3', '--json'],
      );
      expect(run.stderr).toBe('');
      const outcome = JSON.parse(run.stdout) as {
        records: { hostName: string; startedAt: string | null; finishedAt: string | null }[];
      };
      const byHost = new Map(outcome.records.map((record) => [record.hostName, record]));
      const first = names.slice(0, 10).map((name) => byHost.get(name));
      const second = names.slice(10).map((name) => byHost.get(name));
      const lastOfFirst = Math.max(...first.map((r) => Date.parse(r?.finishedAt ?? '')));
      const firstOfSecond = Math.min(...second.map((r) => Date.parse(r?.startedAt ?? '')));
      // The second batch starts only after the pause (a lower bound only: a busy machine is slower).
      expect(firstOfSecond - lastOfFirst).toBeGreaterThanOrEqual(2500);
    }, 180_000);

    it(`rolls out through a server: minke --server URL run --batch 25% --max-fail 10%: ${backend.name}`, async () => {
      const created = await builtMinke(dir, ['users', 'create', 'roller', '--superuser'], {
        ...backend.env(),
        MINKE_PASSWORD: 'a long roller password',
      });
      expect(created.code, created.stderr).toBe(0);
      const token = (await minke('tokens', 'create', '--user', 'roller')).stdout.trim();
      const port = await freePort();
      const server = spawnBuiltCli(['--project', dir, backend.serve, '--port', String(port)], {
        env: { ...backend.env(), MINKE_MQTT_PORT: '0' },
      });
      try {
        await printed(server, 'press Ctrl-C', 90_000);
        const url = `http://127.0.0.1:${port}`;
        const run = await builtMinke(
          dir,
          [
            '--server',
            url,
            'run',
            'Roll',
            '--all',
            '--batch',
            '25%',
            '--max-fail',
            '10%',
            '--json',
          ],
          { MINKE_TOKEN: token, MINKE_PROJECT: undefined },
          120_000,
        );
        expect(run.stderr).toBe('');
        expect(run.code).toBe(1);
        const { runId } = JSON.parse(run.stdout) as { runId: number };
        const response = await fetch(`${url}/api/runs/${runId}/rollout`, {
          headers: { authorization: `Bearer ${token}` },
        });
        const { rollout } = (await response.json()) as RunRollout;
        expect(rollout).toMatchObject({
          state: 'budget-exceeded',
          total: 20,
          batchSize: 5,
          allowedFailures: 2,
          reason: REASON,
        });
        expect(rollout?.batches.map((batch) => batch.state)).toEqual([
          'done',
          'done',
          'canceled',
          'canceled',
        ]);
      } finally {
        server.kill('SIGTERM');
        await exited(server, 30_000);
      }
    }, 240_000);
  },
);
