import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { POSTGRES_URL } from '../../test-support/databases.js';
import { builtMinke, exited, printed, writeProject } from '../../test-support/project-folder.js';
import { spawnBuiltCli } from '../../test-support/run-cli.js';
import { deleteRedisPrefix, REDIS_URL, uniqueRedisPrefix } from '../../test-support/redis.js';
import { eventSeen, runFinished } from '../../test-support/run-waiter.js';
import { type SshdServer, sshdUnavailableReason, startSshd } from '../../test-support/sshd.js';
import { passwordTestUser, sudoUnavailableReason } from '../../test-support/sudo-user.js';
import { resolveConfig } from '../config/resolve-config.js';
import { keyIdOf } from '../credentials/secret-key.js';
import { RedisEventBus } from '../events/redis/redis-event-bus.js';
import { startScaleOut, type ScaleOut, type ScaleOutRole } from '../runtime/scale-out.js';
import { createLogger } from '../logger.js';
import { openProject, type OpenedProject } from '../runtime/open-project.js';
import type { Runtime } from '../runtime/runtime.js';
import { SessionHistory } from '../runs/history.js';
import { RunStore } from '../runs/run-store.js';
import { Session } from '../session/session.js';
import { startRun } from './start-run.js';
import { choiceCheckFor } from '../choices/check-choices.js';

const sudoForm = z.object({
  note: z.string().optional(),
  password: z.string().min(1).meta({ connection: 'sudo.password', secret: true }),
  // Not a connection value, and not named like a secret: only `secret: true` keeps it hidden.
  apiKey: z.string().optional().meta({ secret: true }),
  /** A file the session waits for (bounded), so that the test reads the queue mid-run. */
  gate: z.string().optional(),
});

/** Asks the sudo password in its form; run by a BullMQ worker, it gets it sealed in the job. */
class SudoWhoami extends Session<typeof sudoForm> {
  static override workOn = ['Host'];
  static override form = sudoForm;
  override async process() {
    const who = await this.c.sudo('id -un');
    await this.addMsg(`became ${who.stdout.trim()}`);
    await this.addMsg(`api key of ${this.data.apiKey?.length ?? 0} characters`);
    if (this.data.gate)
      await this.c.run(
        `i=0; while [ ! -e '${this.data.gate}' ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i+1)); done`,
      );
  }
}

const unavailable = sshdUnavailableReason() ?? sudoUnavailableReason();
if (unavailable) process.stderr.write(`run-time connection (BullMQ) skipped: ${unavailable}\n`);
const tmp = mkdtempSync(join(tmpdir(), 'minke-runtime-bullmq-'));
chmodSync(tmp, 0o755); // the sudo test account waits for a file in here
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A project in a folder of its own, so that its secret key is made in `<folder>/.minke/`. */
function backends(): { name: string; open: (dir: string) => Promise<OpenedProject> }[] {
  const open = (dir: string, database: string, schema?: string) =>
    openProject(
      resolveConfig(
        { database, models: [], sessions: [SudoWhoami] },
        { projectDir: dir, configFile: 'test' },
        {},
      ),
      { migrate: true, ...(schema ? { schema } : {}) },
    );
  return [
    { name: 'sqlite', open: (dir) => open(dir, `sqlite:${join(dir, 'minke.db')}`) },
    {
      name: 'postgres',
      open: (dir) => open(dir, POSTGRES_URL, `test_${randomBytes(6).toString('hex')}`),
    },
  ];
}

/** Every key under the prefix with its value, whatever its type, as text. */
async function redisDump(prefix: string): Promise<string> {
  const client = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  try {
    const out: string[] = [];
    let cursor = '0';
    for (let round = 0; round < 10_000; round++) {
      const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      for (const key of keys) {
        const type = await client.type(key);
        const value =
          type === 'string'
            ? await client.get(key)
            : type === 'hash'
              ? await client.hgetall(key)
              : type === 'list'
                ? await client.lrange(key, 0, -1)
                : type === 'set'
                  ? await client.smembers(key)
                  : type === 'zset'
                    ? await client.zrange(key, 0, -1)
                    : type === 'stream'
                      ? await client.xrange(key, '-', '+')
                      : type;
        out.push(`${key}: ${JSON.stringify(value)}`);
      }
      cursor = next;
      if (cursor === '0') break;
    }
    return out.join('\n');
  } finally {
    client.disconnect();
  }
}

describe.skipIf(unavailable !== undefined).each(backends())(
  'run-time connection values on BullMQ ($name, real sshd and Redis)',
  ({ open }) => {
    const account = passwordTestUser();
    const password = typeof account === 'string' ? '' : account.password;
    const apiKey = `api-${randomBytes(12).toString('hex')}`;
    const prefix = uniqueRedisPrefix();
    const logLines: string[] = [];
    const logger = createLogger({
      level: 'debug',
      stream: { write: (line: string) => void logLines.push(line) },
    });
    let dir: string;
    let sshd: SshdServer;
    let project: OpenedProject;
    const started: { close(): Promise<void> }[] = [];

    /** One side of the queue (server or worker), with its own bus connection. */
    async function side(role: ScaleOutRole): Promise<{ runtime: Runtime; parts: ScaleOut }> {
      const bus = new RedisEventBus({ url: REDIS_URL, prefix, logger });
      const runs = new RunStore(project.database);
      const parts = startScaleOut({
        project,
        runs,
        bus,
        logger,
        role,
        backend: { kind: 'redis', url: REDIS_URL, prefix },
        stopPollMs: 100,
        // This test looks at the queue itself: nothing re-adds behind its back.
        requeueIntervalMs: 3_600_000,
      });
      await Promise.all([bus.ready(), parts.worker?.ready()]);
      const closeable = {
        async close() {
          await parts.close();
          await bus.close();
        },
      };
      started.push(closeable);
      const runtime: Runtime = {
        project,
        runs,
        bus,
        executor: parts.executor,
        checkChoices: choiceCheckFor(project),
        logger,
        close: () => closeable.close(),
      };
      return { runtime, parts };
    }

    beforeAll(async () => {
      if (typeof account === 'string') throw new Error(account);
      dir = join(tmp, prefix);
      mkdirSync(dir, { mode: 0o755 });
      sshd = await startSshd();
      project = await open(dir);
      await project.hosts.add({
        name: 'box',
        hostname: sshd.host,
        port: sshd.port,
        user: account.user,
        config: {
          identityFiles: [sshd.clientKeyPath],
          agent: false,
          knownHostsFiles: [sshd.knownHostsFile],
          strictHostKeyChecking: 'yes',
        },
      });
    }, 120_000);
    afterAll(async () => {
      for (const side of started.reverse()) await side.close();
      await deleteRedisPrefix(REDIS_URL, prefix);
      await project?.close();
      await sshd?.stop();
    });

    /** Every table of the project's database, as text. */
    async function everything(): Promise<string> {
      const { db, schema } = project.database;
      const tables = (await db.introspection.getTables()).filter(
        (t) => schema === undefined || t.schema === schema,
      );
      const dumps: string[] = [];
      for (const table of tables) {
        const rows = await db
          .withSchema(table.schema ?? 'main')
          .selectFrom(table.name)
          .selectAll()
          .execute();
        dumps.push(`${table.name}: ${JSON.stringify(rows)}`);
      }
      expect(dumps.join('\n')).toContain('minke_session_records');
      return dumps.join('\n');
    }

    it(
      'a worker sudoes with the password the form asked; the job carries it sealed, nothing keeps it',
      { timeout: 120_000 },
      async () => {
        const server = await side('server');
        await side('worker');
        const run = await startRun(server.runtime, {
          session: 'SudoWhoami',
          ids: ['box'],
          data: { note: 'weekly', password, apiKey, gate: join(dir, 'go') },
        });
        // While the worker runs it, the job is in Redis: read it as anyone with Redis access would.
        await eventSeen(server.runtime.bus, run.runId, (e) => e.type === 'command.started');
        const whileRunning = await redisDump(prefix);
        await writeFile(join(dir, 'go'), '');
        const events = await runFinished(server.runtime.bus, run.runId);
        const record = await new SessionHistory(project.database).get(
          run.records[0]?.recordId as number,
        );
        expect(record).toMatchObject({ processState: 'completed', result: 'success' });
        expect(JSON.stringify(record)).toContain('became root');
        // The secret form value reached the session, from the sealed part of the job.
        expect(JSON.stringify(record)).toContain(`api key of ${apiKey.length} characters`);

        expect(whileRunning).toContain('ciphertext');
        expect(whileRunning).toContain('weekly'); // the job's clear data, read by this scan
        const places = {
          'redis while running': whileRunning,
          'redis after the run': await redisDump(prefix),
          'database tables': await everything(),
          events: JSON.stringify(events),
          'log lines': logLines.join(''),
        };
        expect(places['log lines']).toContain('"level":20'); // debug lines were written
        for (const [place, text] of Object.entries(places)) {
          expect(text.includes(password), `the sudo password in the ${place}`).toBe(false);
          expect(text.includes(apiKey), `the secret form value in the ${place}`).toBe(false);
        }
        // The server made the project's key as the credentials store does on first use.
        const keyFile = join(dir, '.minke', 'secret.key');
        expect((await stat(keyFile)).mode & 0o777).toBe(0o600);
        const keyId = keyIdOf(Buffer.from((await readFile(keyFile, 'utf8')).trim(), 'base64'));
        expect(whileRunning).toContain(keyId);
      },
    );

    it(
      'a worker without the key ends the sessions with an error naming the key id, not the secret',
      { timeout: 120_000 },
      async () => {
        for (const side of started.splice(0).reverse()) await side.close();
        const server = await side('server');
        const run = await startRun(server.runtime, {
          session: 'SudoWhoami',
          ids: ['box'],
          data: { password },
        });
        // Queued, sealed with the project's key; then the worker's machine has another key.
        const keyFile = join(dir, '.minke', 'secret.key');
        const sealedWith = keyIdOf(Buffer.from((await readFile(keyFile, 'utf8')).trim(), 'base64'));
        const end = Date.now() + 30_000;
        while (!(await redisDump(prefix)).includes('ciphertext') && Date.now() < end)
          await new Promise((resolve) => setTimeout(resolve, 100));
        const other = randomBytes(32);
        await writeFile(keyFile, `${other.toString('base64')}\n`, { mode: 0o600 });
        await side('worker');
        await runFinished(server.runtime.bus, run.runId);
        const record = await new SessionHistory(project.database).get(
          run.records[0]?.recordId as number,
        );
        expect(record).toMatchObject({ processState: 'failed', result: 'error' });
        const text = JSON.stringify(record);
        expect(text).toContain(
          `the run-time values of run ${run.runId} were encrypted with secret key ${sealedWith}, which this worker does not have`,
        );
        expect(text).not.toContain(password);
        expect(text).not.toContain(other.toString('base64'));
        expect(logLines.join('')).not.toContain(password);
      },
    );
  },
);

// The built CLI over dist/: rebuild (npx tsc -b packages/minke) before running this file.
describe.skipIf(unavailable !== undefined)(
  'minke run --connection-file with a minke worker on BullMQ (built CLI, real sshd and Redis)',
  () => {
    const account = passwordTestUser();
    const password = typeof account === 'string' ? '' : account.password;
    const prefix = uniqueRedisPrefix();
    const queued = { MINKE_REDIS_URL: REDIS_URL, MINKE_QUEUE_PREFIX: prefix };
    const dir = join(tmp, `cli-${prefix}`);
    const secretFile = join(tmp, `sudo-${prefix}.yaml`);
    let sshd: SshdServer;
    const minke = (...args: string[]) => builtMinke(dir, args, queued);

    beforeAll(async () => {
      if (typeof account === 'string') throw new Error(account);
      sshd = await startSshd();
      writeProject(dir, {
        config: "database: 'sqlite:data.db', sessions: [WhoAmI]",
        sessions: `import { Session } from 'minke';
export class WhoAmI extends Session {
  static override workOn = ['Host'];
  override async process() {
    const who = await this.c.sudo('id -un');
    await this.addMsg(\`became \${who.stdout.trim()}\`);
  }
}
`,
        sessionNames: ['WhoAmI'],
      });
      expect((await minke('migrate')).code).toBe(0);
      const config = JSON.stringify({
        identityFiles: [sshd.clientKeyPath],
        agent: false,
        knownHostsFiles: [sshd.knownHostsFile],
        strictHostKeyChecking: 'yes',
      });
      const added = await minke(
        ...['hosts', 'add', 'box', '--hostname', sshd.host, '--port', String(sshd.port)],
        ...['--user', account.user, '--config', config],
      );
      expect(added.stderr).toBe('');
      await writeFile(secretFile, `sudo:\n  password: ${JSON.stringify(password)}\n`, {
        mode: 0o600,
      });
    }, 120_000);
    afterAll(async () => {
      await sshd?.stop();
      await deleteRedisPrefix(REDIS_URL, prefix);
    });

    it('a minke worker sudoes with the password of the file; Redis, the database and logs never hold it', async () => {
      const worker = spawnBuiltCli(['--project', dir, 'worker'], {
        env: { ...queued, MINKE_LOG_LEVEL: 'debug', MINKE_LOG_FORMAT: 'json' },
      });
      let workerOutput = '';
      worker.stdout?.on('data', (chunk: Buffer) => (workerOutput += chunk.toString()));
      worker.stderr?.on('data', (chunk: Buffer) => (workerOutput += chunk.toString()));
      try {
        await printed(worker, 'press Ctrl-C', 60_000);
        const run = await minke('run', 'WhoAmI', '--id', 'box', '--connection-file', secretFile);
        expect(run.stdout).toMatch(/^SUCCESS box/);
        expect(run.stdout).toContain('became root');
        expect(run.code).toBe(0);
        const places = {
          'run output': run.stdout + run.stderr,
          'worker output': workerOutput,
          redis: await redisDump(prefix),
          database:
            (await readFile(join(dir, 'data.db'))).toString('latin1') +
            (await readFile(join(dir, 'data.db-wal')).catch(() => Buffer.alloc(0))).toString(
              'latin1',
            ),
        };
        expect(workerOutput).toContain('"level":20'); // debug lines were written
        for (const [place, text] of Object.entries(places))
          expect(text.includes(password), `the sudo password in the ${place}`).toBe(false);
      } finally {
        worker.kill('SIGTERM');
        await exited(worker, 30_000);
      }
    }, 180_000);
  },
);
