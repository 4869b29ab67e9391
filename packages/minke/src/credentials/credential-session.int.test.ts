import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { POSTGRES_URL } from '../../test-support/databases.js';
import {
  bullmqRedisExecutor,
  inProcessExecutor,
  type ExecutorUnderTest,
  type StartedExecutor,
} from '../../test-support/queue-executors.js';
import { runFinished } from '../../test-support/run-waiter.js';
import { startSshd, sshdUnavailableReason, type SshdServer } from '../../test-support/sshd.js';
import { passwordTestUser, sudoUnavailableReason } from '../../test-support/sudo-user.js';
import { resolveConfig } from '../config/resolve-config.js';
import type { DeliveredEvent } from '../events/run-events.js';
import { createLogger, type Logger } from '../logger.js';
import { startRun } from '../operations/start-run.js';
import { openProject, type OpenedProject } from '../runtime/open-project.js';
import { createRuntime } from '../runtime/runtime.js';
import { SessionHistory } from '../runs/history.js';
import { Session } from '../session/session.js';
import { credentialStoreOf } from './credential-reader.js';

/**
 * A session whose host logs in with an encrypted SSH key and becomes root with a sudo password,
 * both from the credentials store, on each executor against the harness's sshd. Then the places a
 * secret could leak are searched: every database row, the run's events, the history, the logs
 * (at debug level), and the command line of every process on the machine while it ran (seen from
 * the test, and from inside the sudo'd command itself).
 */
class SudoWithStoredSecrets extends Session {
  static override workOn = ['Host'];
  override async process() {
    const who = await this.c.sudo('id -un');
    await this.addMsg(`became ${who.stdout.trim()}`);
    // Every process's argv at the moment sudo has just taken the password.
    await this.c.sudo(`for f in /proc/[0-9]*/cmdline; do tr '\\0' ' ' < "$f"; echo; done`);
  }
}

const unavailable = sshdUnavailableReason() ?? sudoUnavailableReason();
let sshd: SshdServer;
let tmp: string;

beforeAll(async () => {
  if (unavailable) return;
  sshd = await startSshd();
  tmp = await mkdtemp(join(tmpdir(), 'minke-credential-session-'));
});
afterAll(async () => {
  await sshd?.stop();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

/** Every command line on this machine, as text. */
async function allCommandLines(): Promise<string> {
  const lines: string[] = [];
  for (const pid of (await readdir('/proc')).filter((name) => /^\d+$/.test(name))) {
    const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    lines.push(cmdline.replaceAll('\0', ' '));
  }
  return lines.join('\n');
}

/** Collects command lines every few milliseconds until stopped (bounded by `maxSnapshots`). */
function watchCommandLines(maxSnapshots = 2000): { stop(): Promise<string> } {
  const seen: string[] = [];
  let running = true;
  const loop = (async () => {
    for (let i = 0; running && i < maxSnapshots; i++) {
      seen.push(await allCommandLines());
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return seen.join('\n');
    },
  };
}

/** A debug-level logger whose lines the test reads back. */
function capturingLogger(): { logger: Logger; text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  return { logger: createLogger({ level: 'debug', stream }), text: () => chunks.join('') };
}

async function databaseText(project: OpenedProject): Promise<string> {
  const { db } = project.database;
  const tables = (await db.introspection.getTables()).map((t) => t.name);
  const rows = await Promise.all(tables.map((name) => db.selectFrom(name).selectAll().execute()));
  return JSON.stringify(rows);
}

const cases: { name: string; database: 'sqlite' | 'postgres'; executor: ExecutorUnderTest }[] = [
  { name: 'in-process on SQLite', database: 'sqlite', executor: inProcessExecutor },
  { name: 'BullMQ on PostgreSQL', database: 'postgres', executor: bullmqRedisExecutor() },
];

describe.skipIf(unavailable !== undefined).each(cases)('stored credentials, $name', (setup) => {
  let project: OpenedProject;
  let started: StartedExecutor;
  let logs: ReturnType<typeof capturingLogger>;
  let dropSchema: () => Promise<void>;

  beforeEach(async () => {
    const projectDir = await mkdtemp(join(tmp, 'project-'));
    const schema = `test_${randomBytes(6).toString('hex')}`;
    const url = setup.database === 'sqlite' ? 'sqlite:minke.db' : POSTGRES_URL;
    const config = resolveConfig(
      { database: url, sessions: [SudoWithStoredSecrets] },
      { projectDir, configFile: join(projectDir, 'minke.config.ts') },
      {},
    );
    project = await openProject(config, {
      migrate: true,
      ...(setup.database === 'postgres' ? { schema } : {}),
    });
    dropSchema = async () => {
      if (setup.database !== 'postgres') return;
      await project.database.db.schema.dropSchema(schema).ifExists().cascade().execute();
    };
    logs = capturingLogger();
    started =
      setup.executor === inProcessExecutor
        ? (() => {
            const runtime = createRuntime(project, { logger: logs.logger });
            return { runtime, cleanup: () => runtime.close() };
          })()
        : await setup.executor.start(project, { logger: logs.logger });
  });
  afterEach(async () => {
    await started.cleanup();
    await dropSchema();
    await project.close();
  });

  it('logs in with the stored key, answers sudo with the stored password, and leaks neither', async () => {
    const account = passwordTestUser();
    if (typeof account === 'string') throw new Error(account);
    const privateKey = await readFile(sshd.encryptedClientKeyPath, 'utf8');
    const store = credentialStoreOf(project);
    await store.create(
      'deploy',
      { type: 'ssh-key', privateKey, passphrase: sshd.passphrase },
      'admin',
    );
    await store.create('sudo-pw', { type: 'password', password: account.password }, 'admin');
    await chmod(tmp, 0o755);
    const host = await project.hosts.add({
      name: 'db-1',
      hostname: sshd.host,
      port: sshd.port,
      user: account.user,
      config: {
        key: { credential: 'deploy' },
        identityFiles: [],
        agent: false,
        knownHostsFiles: [sshd.knownHostsFile],
        sshConfigFile: false,
        connectTimeoutMs: 5000,
        sudo: { password: { credential: 'sudo-pw' } },
      },
    });

    const watcher = watchCommandLines();
    let argv = '';
    let events: DeliveredEvent[];
    let recordId: number;
    try {
      const begun = await startRun(started.runtime, {
        session: 'SudoWithStoredSecrets',
        model: 'Host',
        ids: [host.id],
        data: {},
      });
      recordId = begun.records[0]?.recordId as number;
      events = await runFinished(started.runtime.bus, begun.runId);
    } finally {
      argv = await watcher.stop();
    }
    const record = await new SessionHistory(project.database).get(recordId);
    expect(record.messages.map((m) => m.text)).toEqual(['became root']);
    expect(record).toMatchObject({ processState: 'completed', result: 'success' });
    const listing = record.commands[1]?.stdout ?? '';
    expect(listing).toContain('sshd'); // the listing saw the processes of this login
    expect(argv).toContain('sshd');

    const secrets = {
      'sudo password': account.password,
      'key passphrase': sshd.passphrase,
      'private key': privateKey.split('\n')[1] ?? '',
    };
    const places = {
      'database rows': await databaseText(project),
      'run events': JSON.stringify(events),
      history: JSON.stringify(record),
      logs: logs.text(),
      'process command lines seen by the test': argv,
      'process command lines seen under sudo': listing,
    };
    expect(logs.text()).not.toBe(''); // the logger did write: its silence would prove nothing
    for (const [secretName, secret] of Object.entries(secrets)) {
      expect(secret.length).toBeGreaterThan(8);
      for (const [place, text] of Object.entries(places)) {
        expect(text.includes(secret), `${secretName} in ${place}`).toBe(false);
      }
    }
  });
  it('fails a run with a message naming the credential when it is missing or the key is wrong', async () => {
    const account = passwordTestUser();
    if (typeof account === 'string') throw new Error(account);
    const store = credentialStoreOf(project);
    await store.create('sudo-pw', { type: 'password', password: account.password }, 'admin');
    const connection = {
      identityFiles: [sshd.clientKeyPath],
      agent: false,
      knownHostsFiles: [sshd.knownHostsFile],
      sshConfigFile: false,
      connectTimeoutMs: 5000,
    };
    const missing = await project.hosts.add({
      name: 'web-1',
      hostname: sshd.host,
      port: sshd.port,
      user: account.user,
      config: { ...connection, key: { credential: 'gone' } },
    });
    const wrongKey = await project.hosts.add({
      name: 'db-2',
      hostname: sshd.host,
      port: sshd.port,
      user: account.user,
      config: { ...connection, sudo: { password: { credential: 'sudo-pw' } } },
    });
    const history = new SessionHistory(project.database);
    const runOn = async (hostId: number) => {
      const begun = await startRun(started.runtime, {
        session: 'SudoWithStoredSecrets',
        model: 'Host',
        ids: [hostId],
        data: {},
      });
      await runFinished(started.runtime.bus, begun.runId);
      return history.get(begun.records[0]?.recordId as number);
    };

    const gone = await runOn(missing.id);
    expect(gone).toMatchObject({ processState: 'failed', result: 'error' });
    expect(gone.messages.map((m) => m.text.replaceAll('\n', '')).join(' ')).toContain(
      'credential gone does not exist',
    );

    // Every process reads the key at use: one started with another key says which it needs.
    const saved = process.env['MINKE_SECRET_KEY'];
    process.env['MINKE_SECRET_KEY'] = randomBytes(32).toString('base64');
    try {
      const refused = await runOn(wrongKey.id);
      expect(refused).toMatchObject({ processState: 'failed', result: 'error' });
      // Messages are wrapped for display: joined back before matching.
      const text = refused.messages.map((m) => m.text.replaceAll('\n', '')).join(' ');
      expect(text).toMatch(
        /credential sudo-pw was encrypted with secret key [0-9a-f]{16}, which is not loaded/,
      );
      expect(JSON.stringify(refused)).not.toContain(account.password);
    } finally {
      if (saved === undefined) delete process.env['MINKE_SECRET_KEY'];
      else process.env['MINKE_SECRET_KEY'] = saved;
    }
  });
});
