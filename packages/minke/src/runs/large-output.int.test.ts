import type { ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deleteRedisPrefix, REDIS_URL, uniqueRedisPrefix } from '../../test-support/redis.js';
import { runBuiltCli, spawnBuiltCli } from '../../test-support/run-cli.js';
import { startSshd, sshdUnavailableReason, type SshdServer } from '../../test-support/sshd.js';

// Output of any size through the door users go through: a project folder, the built `minke`.
// The record keeps a bounded head and tail with a marker saying what it left out; the full
// output stays downloadable, byte for byte, through the CLI and the API.
const sessions = `
import { Session } from 'minke';

export class ManyLines extends Session {
  static override workOn = ['Host'];
  override async process() {
    await this.xrun('seq 1 300000; exit 3');
  }
}

export class Huge extends Session {
  static override workOn = ['Host'];
  override async process() {
    await this.xrun('yes 0123456789abcdefghijklmnopqrstuvwxyz | head -c 200000000');
  }
}
`;

const HUGE_LINE = '0123456789abcdefghijklmnopqrstuvwxyz\n';
const HUGE_BYTES = 200_000_000;
const seqText = (n: number) => Array.from({ length: n }, (_, i) => `${i + 1}\n`).join('');

const tmp = mkdtempSync(join(tmpdir(), 'minke-large-output-'));
const dir = join(tmp, 'project');
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const minke = (args: string[], env: Record<string, string> = {}, timeoutMs = 300_000) =>
  runBuiltCli(['--project', dir, ...args], { env, timeoutMs });

interface CommandJson {
  command: string;
  exitCode: number | null;
  stdout: string;
  truncated: boolean;
  outputCut: {
    stdout?: {
      totalBytes: number;
      totalLines: number;
      droppedBytes: number;
      droppedLines: number;
      stored: boolean;
      download: string | null;
    };
  } | null;
}

interface RecordJson {
  id: number;
  processState: string;
  result: string;
  outputTruncated: boolean;
  commands: CommandJson[];
  messages: { level: string; text: string }[];
}

/** Runs a session on one host and returns its record as `minke history show --json` prints it. */
async function runOn(session: string, host: string): Promise<{ run: string; record: RecordJson }> {
  const ran = await minke(['run', session, '--id', host, '--json']);
  expect(ran.stderr).not.toContain('Maximum call stack');
  const id = (JSON.parse(ran.stdout) as { records: { id: number }[] }).records[0]?.id;
  const shown = await minke(['history', 'show', String(id), '--json']);
  expect(shown.code).toBe(0);
  return { run: ran.stdout, record: JSON.parse(shown.stdout) as RecordJson };
}

/** sha256 and size of what a child writes to stdout, never holding it whole. */
function digestOf(
  child: ChildProcess,
): Promise<{ sha256: string; bytes: number; code: number | null }> {
  const hash = createHash('sha256');
  let bytes = 0;
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    hash.update(chunk);
    bytes += chunk.length;
  });
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 600_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code !== 0) reject(new Error(`exit ${code}: ${stderr}`));
      else resolve({ sha256: hash.digest('hex'), bytes, code });
    });
  });
}

/** sha256 of `line` repeated up to `total` bytes, computed in pieces. */
function repeatedDigest(line: string, total: number): string {
  const hash = createHash('sha256');
  const block = line.repeat(Math.floor(1_048_576 / line.length));
  let left = total;
  while (left > 0) {
    const piece = left >= block.length ? block : block.slice(0, left);
    hash.update(piece);
    left -= piece.length;
  }
  return hash.digest('hex');
}

beforeAll(async () => {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), '{ "type": "module", "private": true }\n');
  writeFileSync(join(dir, 'sessions.ts'), sessions);
  writeFileSync(
    join(dir, 'minke.config.ts'),
    "import { defineConfig } from 'minke';\nimport { Huge, ManyLines } from './sessions.js';\nexport default defineConfig({ database: 'sqlite:data.db', sessions: [ManyLines, Huge] });\n",
  );
  for (const args of [['migrate'], ['hosts', 'add', 'local1', '--config', 'transport: local']]) {
    const result = await minke(args);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
  }
}, 120_000);

describe('large command output', { timeout: 600_000 }, () => {
  let manyLines: RecordJson;

  it('300,000 lines and exit 3: the session ends completed/error with exit code 3', async () => {
    const { record } = await runOn('ManyLines', 'local1');
    manyLines = record;
    expect(record).toMatchObject({
      processState: 'completed',
      result: 'error',
      outputTruncated: true,
    });
    expect(record.messages.map((m) => m.text).join('\n')).not.toContain('An error occurred.');
    const [command] = record.commands;
    expect(command?.exitCode).toBe(3);
    expect(command?.truncated).toBe(true);
    const cut = command?.outputCut?.stdout;
    const all = seqText(300_000);
    expect(cut).toMatchObject({ totalBytes: all.length, totalLines: 300_000, stored: true });
    expect(cut?.download).toBe(`/api/session-records/${record.id}/commands/1/output?stream=stdout`);
    // The record keeps the first and last lines, and says exactly how many it left out.
    const stdout = command?.stdout ?? '';
    expect(stdout.startsWith('1\n2\n3\n')).toBe(true);
    expect(stdout.endsWith('299999\n300000\n')).toBe(true);
    expect(stdout).toContain(
      `\n[minke: ${cut?.droppedLines.toLocaleString('en')} lines (${cut?.droppedBytes.toLocaleString('en')} bytes) of stdout left out here; the full stdout is stored with the session record]\n`,
    );
    expect(stdout.length).toBeLessThan(300 * 1024);
    // The command message shows the same bounded copy, in error.
    const message = record.messages.find((m) => m.text.startsWith('code[3]'));
    expect(message?.level).toBe('error');
    expect(message?.text).toContain('left out here');
  });

  it('history show says the output was truncated and how to get all of it', async () => {
    const shown = await minke(['history', 'show', String(manyLines.id)]);
    expect(shown.code).toBe(0);
    const cut = manyLines.commands[0]?.outputCut?.stdout;
    expect(shown.stdout).toContain(
      `  stdout truncated: ${cut?.droppedLines.toLocaleString('en')} lines (${cut?.droppedBytes.toLocaleString('en')} bytes) of 300,000 lines (${cut?.totalBytes.toLocaleString('en')} bytes) left out; full stdout: minke history output ${manyLines.id} --command 1\n`,
    );
  });

  it('minke history output writes the full output, byte for byte', async () => {
    const full = await minke(['history', 'output', String(manyLines.id)]);
    expect(full.code).toBe(0);
    expect(full.stdout === seqText(300_000)).toBe(true);
    const bad = await minke(['history', 'output', String(manyLines.id), '--command', '2']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain(
      `--command 2: session record ${manyLines.id} ran 1 command (1 to 1)`,
    );
  });

  it('the API streams the full output as a download, with the permission of the record', async () => {
    const env = { MINKE_PASSWORD: 'a long password for tests' };
    expect((await minke(['users', 'create', 'root', '--superuser'], env)).code).toBe(0);
    expect((await minke(['users', 'create', 'alice'], env)).code).toBe(0);
    const tokenOf = async (user: string) =>
      (await minke(['tokens', 'create', '--user', user])).stdout.trim();
    const [rootToken, aliceToken] = [await tokenOf('root'), await tokenOf('alice')];
    const server = spawnBuiltCli(['--project', dir, 'start', '--port', '0'], {
      env: { MINKE_MQTT_PORT: '0' },
    });
    try {
      const url = await serverUrl(server);
      const path = manyLines.commands[0]?.outputCut?.stdout?.download ?? '';
      const response = await fetch(url + path, {
        headers: { authorization: `Bearer ${rootToken}` },
      });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('text/plain; charset=utf-8');
      expect(response.headers.get('content-disposition')).toBe(
        `attachment; filename="session-${manyLines.id}-command-1.stdout.txt"`,
      );
      expect((await response.text()) === seqText(300_000)).toBe(true);
      // The CLI against the server gets the same text.
      const remote = await runBuiltCli(
        ['--server', url, 'history', 'output', String(manyLines.id)],
        {
          env: { MINKE_TOKEN: rootToken },
          timeoutMs: 120_000,
        },
      );
      expect(remote.stderr).toBe('');
      expect(remote.stdout === seqText(300_000)).toBe(true);
      // A user who may not see the record may not download its output either.
      const other = await fetch(url + path, { headers: { authorization: `Bearer ${aliceToken}` } });
      expect(other.status).toBe(404);
      const missing = await fetch(`${url}/api/session-records/${manyLines.id}/commands/9/output`, {
        headers: { authorization: `Bearer ${rootToken}` },
      });
      expect(missing.status).toBe(404);
      expect(((await missing.json()) as { error: { message: string } }).error.message).toBe(
        `session record ${manyLines.id} has 1 command; there is no command 9`,
      );
    } finally {
      server.kill('SIGTERM');
    }
  });

  it('200 MB of output: exit status right, record bounded, download identical (sha256)', async () => {
    const { record } = await runOn('Huge', 'local1');
    expect(record).toMatchObject({ processState: 'completed', result: 'success' });
    const [command] = record.commands;
    expect(command?.exitCode).toBe(0);
    expect(command?.outputCut?.stdout).toMatchObject({
      totalBytes: HUGE_BYTES,
      totalLines: Math.ceil(HUGE_BYTES / HUGE_LINE.length),
      stored: true,
    });
    expect(command?.stdout.length).toBeLessThan(300 * 1024);
    const download = await digestOf(
      spawnBuiltCli(['--project', dir, 'history', 'output', String(record.id)]),
    );
    expect(download.bytes).toBe(HUGE_BYTES);
    expect(download.sha256).toBe(repeatedDigest(HUGE_LINE, HUGE_BYTES));
  });

  it('purge deletes the stored output with its records', async () => {
    const purged = await minke(['history', 'purge', '--older-than', '0h', '--yes']);
    expect(purged.code).toBe(0);
    const { default: Database } = await import('better-sqlite3');
    const db = new Database(join(dir, 'data.db'), { readonly: true });
    try {
      const left = db.prepare('SELECT count(*) AS n FROM minke_command_output').get() as {
        n: number;
      };
      expect(left.n).toBe(0);
    } finally {
      db.close();
    }
  });
});

describe.skipIf(sshdUnavailableReason() !== undefined)(
  'large command output over SSH',
  { timeout: 300_000 },
  () => {
    let sshd: SshdServer;
    beforeAll(async () => {
      sshd = await startSshd();
      const config = JSON.stringify({
        identityFiles: [sshd.clientKeyPath],
        knownHostsFiles: [sshd.knownHostsFile],
        agent: false,
        sshConfigFile: false,
      });
      const added = await minke([
        'hosts',
        'add',
        'ssh1',
        '--hostname',
        sshd.host,
        '--port',
        String(sshd.port),
        '--user',
        sshd.user,
        '--config',
        config,
      ]);
      expect(added.stderr).toBe('');
    }, 60_000);
    afterAll(() => sshd?.stop());

    it('300,000 lines and exit 3 over SSH: exit code 3, marker, identical download', async () => {
      const { record } = await runOn('ManyLines', 'ssh1');
      expect(record).toMatchObject({ processState: 'completed', result: 'error' });
      expect(record.commands[0]?.exitCode).toBe(3);
      expect(record.commands[0]?.outputCut?.stdout).toMatchObject({
        totalLines: 300_000,
        stored: true,
      });
      const full = await minke(['history', 'output', String(record.id)]);
      expect(full.stdout === seqText(300_000)).toBe(true);
    });
  },
);

describe('large command output through a BullMQ worker', { timeout: 300_000 }, () => {
  const prefix = uniqueRedisPrefix();
  const env = { MINKE_REDIS_URL: REDIS_URL, MINKE_QUEUE_PREFIX: prefix };
  afterAll(() => deleteRedisPrefix(REDIS_URL, prefix));

  it('300,000 lines and exit 3 in a worker: exit code 3, marker, identical download', async () => {
    const worker = spawnBuiltCli(['--project', dir, 'worker'], { env });
    try {
      await printedLine(worker, 'press Ctrl-C');
      const ran = await minke(['run', 'ManyLines', '--id', 'local1', '--json'], env);
      const id = (JSON.parse(ran.stdout) as { records: { id: number }[] }).records[0]?.id;
      const shown = await minke(['history', 'show', String(id), '--json']);
      const record = JSON.parse(shown.stdout) as RecordJson;
      expect(record).toMatchObject({ processState: 'completed', result: 'error' });
      expect(record.commands[0]?.exitCode).toBe(3);
      expect(record.commands[0]?.stdout).toContain('of stdout left out here;');
      const full = await minke(['history', 'output', String(id)]);
      expect(full.stdout === seqText(300_000)).toBe(true);
    } finally {
      worker.kill('SIGTERM');
    }
  });
});

/** Resolves once the child printed `text` on stdout (bounded). */
function printedLine(child: ChildProcess, text: string): Promise<void> {
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "${text}" in: ${output}`)), 60_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (!output.includes(text)) return;
      clearTimeout(timer);
      resolve();
    });
  });
}

/** The server's address, from the line `minke start` prints once it listens (bounded). */
function serverUrl(child: ChildProcess): Promise<string> {
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start: ${output}`)), 60_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = / at (http:\/\/[\d.:]+)/.exec(output);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
  });
}
