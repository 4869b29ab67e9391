import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  builtMinke,
  exited,
  prepareLocalHost,
  printed,
  writeProject,
} from '../../test-support/project-folder.js';
import { deleteRedisPrefix, REDIS_URL, uniqueRedisPrefix } from '../../test-support/redis.js';
import { spawnBuiltCli } from '../../test-support/run-cli.js';

// Minke errors thrown by a project's own session code, loaded by the built CLI (and by a BullMQ
// worker): the project shares the running Minke, so they end the session as documented.
const sessions = `
import { Session, SessionError, z as minkeZod } from 'minke';
import { z } from 'zod';

// The project has no zod of its own: it gets the one Minke runs with, not a second copy.
if (z !== minkeZod) throw new Error('the project got a second copy of zod');

export class Fail extends Session {
  static override workOn = ['Host'];
  override async process() {
    throw new SessionError('a', 'b');
  }
}

export class BadField extends Session {
  static override workOn = ['Host'];
  override async process() {
    await this.updateField('nope', 'echo 1');
  }
}
`;

const tmp = mkdtempSync(join(tmpdir(), 'minke-session-errors-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

interface RecordJson {
  processState: string;
  result: string;
  messages: { level: string; text: string }[];
}

/** The record of a run's only session, as `minke history show --json` prints it. */
async function recordOf(dir: string, runOutput: string, env: Record<string, string> = {}) {
  const { records } = JSON.parse(runOutput) as { records: { id: number }[] };
  const id = records[0]?.id;
  const shown = await builtMinke(dir, ['history', 'show', String(id), '--json'], env);
  expect(shown.code).toBe(0);
  return JSON.parse(shown.stdout) as RecordJson;
}

describe('errors thrown by a project session, in-process', { timeout: 120_000 }, () => {
  const dir = join(tmp, 'in-process');
  beforeAll(async () => {
    writeProject(dir, {
      config: "database: 'sqlite:data.db', sessions: [Fail, BadField]",
      sessions,
      sessionNames: ['Fail', 'BadField'],
    });
    await prepareLocalHost(dir);
  });

  it('SessionError ends the session completed, in error, with its messages', async () => {
    const shown = await builtMinke(dir, ['run', 'Fail', '--id', 'local1']);
    expect(shown.code).toBe(1);
    expect(shown.stdout).toContain('ERROR   local1 [local1] completed');
    expect(shown.stdout).toMatch(/error {2}: a\n {2}error {2}: b\n/);
    expect(shown.stdout).not.toContain('An error occurred.');

    const json = await builtMinke(dir, ['run', 'Fail', '--id', 'local1', '--json']);
    expect(json.code).toBe(1);
    const record = await recordOf(dir, json.stdout);
    expect(record).toMatchObject({ processState: 'completed', result: 'error' });
    expect(record.messages.map((m) => [m.level, m.text])).toEqual([
      ['error', 'a'],
      ['error', 'b'],
    ]);
  });

  it("another Minke error from project code ends failed with that error's message", async () => {
    const json = await builtMinke(dir, ['run', 'BadField', '--id', 'local1', '--json']);
    expect(json.code).toBe(1);
    const record = await recordOf(dir, json.stdout);
    expect(record).toMatchObject({ processState: 'failed', result: 'error' });
    expect(record.messages.map((m) => m.text)).toEqual([
      'updateField: the object has no field "nope"',
    ]);
  });
});

describe('errors thrown by a project session, in a BullMQ worker', { timeout: 120_000 }, () => {
  const dir = join(tmp, 'worker');
  const prefix = uniqueRedisPrefix();
  const env = { MINKE_REDIS_URL: REDIS_URL, MINKE_QUEUE_PREFIX: prefix };
  beforeAll(async () => {
    writeProject(dir, {
      config: "database: 'sqlite:data.db', sessions: [Fail, BadField]",
      sessions,
      sessionNames: ['Fail', 'BadField'],
    });
    await prepareLocalHost(dir, env);
  });
  afterAll(() => deleteRedisPrefix(REDIS_URL, prefix));

  it('SessionError and other Minke errors keep their messages', async () => {
    const worker = spawnBuiltCli(['--project', dir, 'worker'], { env });
    try {
      await printed(worker, 'press Ctrl-C');
      const failed = await builtMinke(dir, ['run', 'Fail', '--id', 'local1', '--json'], env);
      expect(failed.code).toBe(1);
      const record = await recordOf(dir, failed.stdout, env);
      expect(record).toMatchObject({ processState: 'completed', result: 'error' });
      expect(record.messages.map((m) => m.text)).toEqual(['a', 'b']);

      const bad = await builtMinke(dir, ['run', 'BadField', '--id', 'local1', '--json'], env);
      expect(bad.code).toBe(1);
      const badRecord = await recordOf(dir, bad.stdout, env);
      expect(badRecord).toMatchObject({ processState: 'failed', result: 'error' });
      expect(badRecord.messages.map((m) => m.text)).toEqual([
        'updateField: the object has no field "nope"',
      ]);
      worker.kill('SIGTERM');
      expect(await exited(worker)).toBe(0);
    } finally {
      worker.kill('SIGKILL');
    }
  });
});

describe('the ssh: connection defaults of a project', { timeout: 60_000 }, () => {
  it('an unknown key stops start-up, naming it', async () => {
    const dir = join(tmp, 'bad-ssh');
    writeProject(dir, {
      config:
        "database: 'sqlite:data.db', sessions: [Fail], ssh: { user: 'deploy', identityFile: '~/.ssh/k' } as never",
      sessions,
      sessionNames: ['Fail'],
    });
    const started = await builtMinke(dir, ['start', '--port', '0'], { MINKE_MQTT_PORT: '0' });
    expect(started.code).toBe(1);
    expect(started.stderr).toContain(
      `minke: error: ${join(dir, 'minke.config.ts')}: ssh.identityFile: unknown setting (known: transport, hostname,`,
    );
  });
});
