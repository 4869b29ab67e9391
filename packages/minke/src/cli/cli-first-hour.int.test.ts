import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBuiltCli, spawnBuiltCli } from '../../test-support/run-cli.js';

// What a new user meets in the first hour, through the built `minke` on a copy of the demo.
const demo = fileURLToPath(new URL('../../../../examples/demo', import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'minke-first-hour-'));
const project = join(tmp, 'demo');
const env = { MINKE_LOG_LEVEL: 'warn' };
const minke = (...args: string[]) => runBuiltCli(['--project', project, ...args], { env });

beforeAll(async () => {
  cpSync(demo, project, {
    recursive: true,
    filter: (path) => !/minke-demo\.db|\.minke/.test(path),
  });
  expect((await minke('migrate')).code).toBe(0);
  expect((await minke('load', join(project, 'demo-data.yaml'))).code).toBe(0);
}, 120_000);
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** The one line a failure prints. */
function errorLine(stderr: string): string {
  const lines = stderr.trimEnd().split('\n');
  expect(lines).toHaveLength(1);
  return lines[0] ?? '';
}

/** Runs a command whose reader has gone (`minke ... | head` after head exited). */
function withClosedStdout(args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawnBuiltCli(['--project', project, ...args], { env });
    child.stdout.destroy(); // the reader is gone before the command writes a byte
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    });
  });
}

describe('the first hour with the demo, through the built CLI', { timeout: 120_000 }, () => {
  it('ends quietly when the reader closes the pipe (`| head`)', async () => {
    for (const args of [
      ['hosts', 'list'],
      ['records', 'list', 'Server'],
      ['history'],
      ['permissions', 'list'],
      ['sessions', 'list'],
      ['--help'],
    ]) {
      const result = await withClosedStdout(args);
      expect({ args, ...result }).toEqual({ args, code: 0, stderr: '' });
    }
  });

  it('exits 2 for every usage mistake, naming the flags the user typed', async () => {
    const cases: [string[], string][] = [
      [['records', 'list', 'Srever'], 'minke: error: unknown model "Srever"'],
      [['hosts', 'list', '--where', 'name ='], 'minke: error: '],
      [['hosts', 'show', 'nope'], 'minke: error: host nope'],
      [['hosts', 'unlock', 'nope'], 'minke: error: host nope does not exist'],
      [
        ['run', 'HealthCheck', '--model', 'Host'],
        'minke: error: select objects with exactly one of: --id, --where, --all',
      ],
      [
        ['run', 'HealthCheck', '--model', 'Host', '--all', '--where', 'name = localhost'],
        'minke: error: select objects with exactly one of: --id, --where, --all',
      ],
      [
        ['run', 'HealthCheck', '--model', 'Host', '--all', '--limit', '0'],
        'minke: error: --limit "0": expected a whole number of at least 1',
      ],
      [['run', 'NoSuchSession', '--all'], 'minke: error: '],
      [
        ['migrate', '--drop-column', 'Nope.x'],
        'minke: error: --drop-column Nope.x: unknown model Nope',
      ],
    ];
    for (const [args, start] of cases) {
      const result = await minke(...args);
      expect({ args, code: result.code }).toEqual({ args, code: 2 });
      expect(errorLine(result.stderr).startsWith(start)).toBe(true);
    }
  });

  it('shows a ref in `records list` as the record it names (the host name), not an id', async () => {
    const result = await minke('records', 'list', 'Server');
    expect(result.code).toBe(0);
    const rows = result.stdout.split('\n').filter((line) => /^\d+\s/.test(line));
    expect(rows.map((row) => row.split(/\s+/)[1])).toEqual([
      'localhost',
      'web-1.example.com',
      'web-2.example.com',
      'db-1.example.com',
    ]);
    const apps = await minke('records', 'list', 'App', '--where', 'name = shop');
    // An App's server is labelled as servers are labelled in lists.
    expect(apps.stdout).toMatch(/Server #2/);
  });

  it('runs a page of the selection with --offset/--limit (-o/-l), in id order', async () => {
    const hosts = ['localhost', 'web-1.example.com', 'web-2.example.com', 'db-1.example.com'];
    const page = async (...args: string[]) => {
      const result = await minke('run', 'HealthCheck', '--model', 'Host', ...args, '--json');
      const run = JSON.parse(result.stdout) as { records: { objectLabel: string }[] };
      return run.records
        .map((r) => r.objectLabel)
        .sort((a, b) => hosts.indexOf(a) - hosts.indexOf(b));
    };
    expect(await page('--all', '--offset', '1', '--limit', '2')).toEqual(hosts.slice(1, 3));
    expect(await page('--all', '-o', '3')).toEqual(hosts.slice(3));
    // The order is the ids', whatever order the ids were given in.
    expect(
      await page('--id', 'db-1.example.com', 'localhost', 'web-2.example.com', '-l', '2'),
    ).toEqual(['localhost', 'web-2.example.com']);
    const beyond = await minke('run', 'HealthCheck', '--model', 'Host', '--all', '--offset', '10');
    expect(beyond.code).toBe(2);
    expect(errorLine(beyond.stderr)).toBe(
      'minke: error: the selection is empty: 4 object(s) match, none at offset 10',
    );
  });

  it('says how to enrol an agent when a dispatch asks none', async () => {
    const none = await minke('dispatch', 'os-release', '--all');
    expect(none.stderr).toBe('');
    expect(none.code).toBe(0);
    expect(none.stdout).toMatch(
      /^request \S+: os-release for 0 node\(s\), valid until \S+\nno agent was asked: enrol one with `minke agents enroll NODE --out FILE`\n$/,
    );
    const list = await minke('agents', 'list');
    expect([list.code, list.stdout]).toEqual([
      0,
      'no agents: enrol one with `minke agents enroll NODE --out FILE`\n',
    ]);
  });

  it('lists host leases and unlocks a stale one; a live one only with --force', async () => {
    // Two leases as executors leave them: one whose worker died, one still renewed.
    const database = new Database(join(project, 'minke-demo.db'));
    const at = (ms: number) =>
      new Date(Date.now() + ms).toISOString().replace('T', ' ').slice(0, 23);
    const hostId = (name: string) =>
      (database.prepare('SELECT id FROM minke_hosts WHERE name = ?').get(name) as { id: number })
        .id;
    const insert = database.prepare(
      'INSERT INTO minke_host_leases (host_id, owner, run_id, expires_at) VALUES (?, ?, NULL, ?)',
    );
    insert.run(hostId('web-1.example.com'), 'dead-worker:99', at(-120_000));
    insert.run(hostId('web-2.example.com'), 'live-worker:7', at(600_000));
    database.close();

    const list = await minke('hosts', 'leases');
    expect(list.code).toBe(0);
    const lines = list.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^HOST\s+OWNER\s+RUN\s+SESSION\s+SINCE\s+EXPIRES$/);
    expect(lines[1]).toMatch(/^web-1\.example\.com\s+dead-worker:99\s+\S+ \(expired\)$/);
    expect(lines[2]).toMatch(/^web-2\.example\.com\s+live-worker:7\s+\S+$/);

    const stale = await minke('hosts', 'unlock', 'web-1.example.com');
    expect(stale.code).toBe(0);
    expect(stale.stdout).toMatch(
      /^unlocked web-1\.example\.com \(lease of dead-worker:99, expired at /,
    );

    const live = await minke('hosts', 'unlock', 'web-2.example.com');
    expect(live.code).toBe(1);
    expect(errorLine(live.stderr)).toMatch(
      /^minke: error: the lease on web-2\.example\.com has not expired \(held by live-worker:7 until .+\): that run may still be working on the host; clear it anyway with --force/,
    );
    const forced = await minke('hosts', 'unlock', 'web-2.example.com', '--force');
    expect(forced.code).toBe(0);
    expect((await minke('hosts', 'leases')).stdout).toBe('no host is locked\n');
  });
});

describe('minke start on a taken port', { timeout: 120_000 }, () => {
  let taken: Server;
  let port = 0;
  beforeAll(async () => {
    taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    port = (taken.address() as { port: number }).port;
  });
  afterAll(() => new Promise<void>((resolve) => taken.close(() => resolve())));

  it('names the port and how to choose another, for the web server and the MQTT broker', async () => {
    const web = await runBuiltCli(['--project', project, 'start', '--port', String(port)], {
      env: { ...env, MINKE_MQTT_PORT: '0' },
    });
    expect(web.code).toBe(1);
    expect(web.stderr.trimEnd().split('\n').at(-1)).toBe(
      `minke: error: port ${port} on 127.0.0.1 is already in use, so the web server and API cannot listen there: choose another with --port N or MINKE_PORT (server.port in minke.config.ts)`,
    );
    const mqtt = await runBuiltCli(['--project', project, 'start', '--port', '0'], {
      env: { ...env, MINKE_MQTT_PORT: String(port) },
    });
    expect(mqtt.code).toBe(1);
    expect(mqtt.stderr.trimEnd().split('\n').at(-1)).toBe(
      `minke: error: port ${port} on 127.0.0.1 is already in use, so the MQTT broker cannot listen there: the embedded MQTT broker needs it: choose another with MINKE_MQTT_PORT (mqtt.port in minke.config.ts), or point MINKE_MQTT_URL at an external broker`,
    );
  });
});

describe('minke start logs', { timeout: 120_000 }, () => {
  /** Starts the server, waits for its start-up text, stops it; returns what it wrote. */
  async function startAndStop(extraEnv: Record<string, string>) {
    const child = spawnBuiltCli(['--project', project, 'start', '--port', '0'], {
      env: { MINKE_MQTT_PORT: '0', MINKE_LOG_LEVEL: 'info', ...extraEnv },
    });
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no start-up text: ${stderr}`)), 60_000);
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        if (stdout.includes('press Ctrl-C to stop')) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    const closed = new Promise((resolve) => child.on('close', resolve));
    child.kill('SIGTERM');
    await closed;
    return { stdout, stderr };
  }

  it('are JSON lines when stderr is not a terminal, and lines for people when asked', async () => {
    const json = await startAndStop({});
    const jsonLines = json.stderr.trimEnd().split('\n');
    expect(jsonLines.length).toBeGreaterThan(0);
    for (const line of jsonLines) expect(JSON.parse(line)).toMatchObject({ app: 'minke' });
    expect(json.stderr).toContain('"msg":"embedded MQTT broker listening"');

    const human = await startAndStop({ MINKE_LOG_FORMAT: 'pretty' });
    expect(human.stderr).toMatch(
      /^\d\d:\d\d:\d\d INFO {2}embedded MQTT broker listening host=127\.0\.0\.1 port=\d+\b/m,
    );
    expect(human.stderr).not.toContain('{"level"');
    expect(human.stdout).toContain('press Ctrl-C to stop');
  });
});
