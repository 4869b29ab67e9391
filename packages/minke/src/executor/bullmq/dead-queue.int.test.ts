import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  builtMinke,
  exited,
  prepareLocalHost,
  printed,
  writeProject,
} from '../../../test-support/project-folder.js';
import { freePort } from '../../../test-support/redis.js';
import { spawnBuiltCli } from '../../../test-support/run-cli.js';

// The BullMQ executor with its Redis unreachable (a closed loopback port): the server still comes
// up and says what is down, and a run ends at once, canceled with the reason, instead of hanging.
const sessions = `
import { Session } from 'minke';

export class Echo extends Session {
  static override workOn = ['Host'];
  override async process() {
    await this.run('echo hello');
  }
}
`;
const deadRedis = { MINKE_EXECUTOR: 'bullmq', MINKE_REDIS_URL: 'redis://127.0.0.1:1' };
const reason =
  /^queue unavailable: Redis did not answer within 5 s \(connect ECONNREFUSED 127\.0\.0\.1:1\)$/;

const tmp = mkdtempSync(join(tmpdir(), 'minke-dead-queue-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

interface HistoryRow {
  id: number;
  processState: string;
  result: string | null;
}

async function history(dir: string): Promise<HistoryRow[]> {
  const listed = await builtMinke(dir, ['history', '--json'], deadRedis);
  expect(listed.code).toBe(0);
  return (JSON.parse(listed.stdout) as { items: HistoryRow[] }).items;
}

async function messagesOf(dir: string, id: number): Promise<string[]> {
  const shown = await builtMinke(dir, ['history', 'show', String(id), '--json'], deadRedis);
  return (JSON.parse(shown.stdout) as { messages: { text: string }[] }).messages.map((m) => m.text);
}

describe('a dead queue', { timeout: 180_000 }, () => {
  const dir = join(tmp, 'p');

  it('minke start comes up, /readyz names Redis, and a run through the API ends canceled', async () => {
    writeProject(dir, {
      config: "database: 'sqlite:data.db', sessions: [Echo]",
      sessions,
      sessionNames: ['Echo'],
    });
    await prepareLocalHost(dir);
    const admin = await builtMinke(dir, ['users', 'create', 'admin', '--superuser'], {
      MINKE_PASSWORD: 'a long admin password',
    });
    expect(admin.code).toBe(0);
    const token = (await builtMinke(dir, ['tokens', 'create', '--user', 'admin'])).stdout.trim();
    const port = await freePort();
    const server = spawnBuiltCli(['--project', dir, 'start', '--port', String(port)], {
      env: { ...deadRedis, MINKE_MQTT_PORT: '0' },
    });
    try {
      await printed(server, 'Minke is serving', 60_000);
      expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
      const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
      expect(ready.status).toBe(503);
      expect(await ready.json()).toMatchObject({
        status: 'unavailable',
        reason: 'redis unreachable',
        down: ['redis'],
        checks: { database: 'ok', redis: 'unreachable' },
      });

      const response = await fetch(`http://127.0.0.1:${port}/api/runs`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ session: 'Echo', ids: ['local1'] }),
      });
      expect(response.status).toBe(201);
      const { records } = (await response.json()) as { records: { recordId: number }[] };
      const id = records[0]?.recordId as number;
      let row: HistoryRow | undefined;
      for (let attempt = 0; attempt < 40; attempt++) {
        row = (await history(dir)).find((r) => r.id === id);
        if (row?.processState !== 'initialized') break;
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
      expect(row).toMatchObject({ processState: 'canceled', result: 'error' });
      expect(await messagesOf(dir, id)).toEqual([expect.stringMatching(reason)]);

      server.kill('SIGTERM');
      expect(await exited(server)).toBe(0);
    } finally {
      server.kill('SIGKILL');
    }
  });

  it('minke run exits 1 with the reason, and nothing stays initialized', async () => {
    const run = await builtMinke(dir, ['run', 'Echo', '--id', 'local1'], deadRedis, 90_000);
    expect(run.code).toBe(1);
    const lines = run.stdout.split('\n');
    // canceled, not failed on its host: grey STOPPED, the reason underneath, and still exit 1
    expect(lines[0]).toBe('STOPPED local1 [local1] canceled');
    expect(lines[1]).toMatch(/^ {2}error {2}: queue unavailable: Redis did not answer within 5 s/);
    expect(run.stdout).toContain(
      '1 session(s): 0 success, 0 warning, 0 error, 1 stopped or canceled',
    );
    const rows = await history(dir);
    expect(rows.length).toBeGreaterThanOrEqual(2);
    expect(rows.filter((r) => r.processState === 'initialized')).toEqual([]);
  });
});
