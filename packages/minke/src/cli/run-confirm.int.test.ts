import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChildProcess } from 'node:child_process';
import { exited, printed } from '../../test-support/project-folder.js';
import { freePort } from '../../test-support/redis.js';
import { runBuiltCli, spawnBuiltCli, type CliResult } from '../../test-support/run-cli.js';

const tmp = mkdtempSync(join(tmpdir(), 'minke-run-confirm-'));
const dir = join(tmp, 'p');
const bin = fileURLToPath(new URL('../../bin/minke.js', import.meta.url));
const minke = (...args: string[]) => runBuiltCli(['--project', dir, ...args]);
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/**
 * The built CLI at a terminal: `script` gives it a pseudo-terminal; `input` is typed into it.
 * `env` adds to the test's environment (the token for --server).
 */
function atTerminal(
  args: string[],
  input: string,
  env: Record<string, string> = {},
): Promise<CliResult> {
  const command = [process.execPath, bin, ...args]
    .map((part) => `'${part.replaceAll("'", `'\\''`)}'`)
    .join(' ');
  return new Promise((resolve, reject) => {
    const child = spawn('script', ['-qec', command, '/dev/null'], {
      env: { ...process.env, NO_COLOR: '1', ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      // answer once the question is on the screen
      if (input && stdout.includes('[y/N]')) {
        child.stdin.write(input);
        input = '';
      }
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

beforeAll(async () => {
  expect((await runBuiltCli(['init', dir])).code).toBe(0);
  writeFileSync(
    join(dir, 'confirm-sessions.ts'),
    `import { SingleCommandSession } from 'minke';

/** Asks before it runs. */
export class Wipe extends SingleCommandSession {
  static override workOn = ['Host'];
  static override verboseName = 'Wipe the cache';
  static override confirm = true;
  static override command = 'echo wiped';
}

/** Runs at once. */
export class Hello extends SingleCommandSession {
  static override workOn = ['Host'];
  static override command = 'echo hello';
}
`,
  );
  const config = readFileSync(join(dir, 'minke.config.ts'), 'utf8')
    .replace(
      "import { DiskUsage, ServerInfo } from './sessions.js';",
      "import { DiskUsage, ServerInfo } from './sessions.js';\nimport { Hello, Wipe } from './confirm-sessions.js';",
    )
    .replace('sessions: [ServerInfo, DiskUsage]', 'sessions: [ServerInfo, DiskUsage, Wipe, Hello]');
  writeFileSync(join(dir, 'minke.config.ts'), config);
  expect((await minke('migrate')).code).toBe(0);
  expect((await minke('hosts', 'add', 'local', '--config', 'transport: local')).code).toBe(0);
}, 120_000);

describe('minke run and a `confirm` session', () => {
  it('refuses without a terminal and without --yes, and says how to go on', async () => {
    const refused = await minke('run', 'Wipe', '--id', 'local');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(
      'Wipe the cache (Wipe) asks for a confirmation before it runs: run it at a terminal to be asked, or add --yes',
    );
    // nothing ran
    const history = await minke('history', '--json');
    expect(history.stdout).not.toContain('Wipe');
  });

  it('runs with --yes, and a session without `confirm` runs without asking', async () => {
    const yes = await minke('run', 'Wipe', '--id', 'local', '--yes');
    expect(yes.code, yes.stderr).toBe(0);
    expect(yes.stdout).toContain('wiped');
    const hello = await minke('run', 'Hello', '--id', 'local');
    expect(hello.code, hello.stderr).toBe(0);
    expect(hello.stdout).toContain('hello');
  });

  it('asks at a terminal: yes runs it, anything else does not', async () => {
    const yes = await atTerminal(['--project', dir, 'run', 'Wipe', '--id', 'local'], 'y\n');
    expect(yes.stdout).toContain('Run Wipe the cache (Wipe) on local? [y/N]');
    expect(yes.stdout).toContain('wiped');
    expect(yes.code).toBe(0);
    const no = await atTerminal(
      ['--project', dir, 'run', 'Wipe', '--all', '--model', 'Host'],
      'n\n',
    );
    expect(no.stdout).toContain('Run Wipe the cache (Wipe) on every Host object? [y/N]');
    expect(no.stdout).toContain('not started: Wipe the cache (Wipe) was not confirmed');
    expect(no.stdout).not.toContain('wiped');
    expect(no.code).toBe(2);
  });
});

/**
 * The same questions when the CLI talks to a server: `minke --server URL run` reads `confirm` from
 * the server's session catalog and asks (or refuses) before it posts the run. A built
 * `minke start` on the project, a superuser's token in the environment, a folder without a project.
 */
describe('minke --server URL run and a `confirm` session', { timeout: 240_000 }, () => {
  let server: ChildProcess | undefined;
  let url = '';
  let token = '';
  const away = join(tmp, 'elsewhere');
  const remote = (...args: string[]) =>
    runBuiltCli(['--server', url, ...args], {
      cwd: away,
      env: { MINKE_TOKEN: token, MINKE_SERVER_URL: undefined, MINKE_PROJECT: undefined },
      timeoutMs: 60_000,
    });
  /** Runs of Wipe the server holds, through its API (the CLI's own history is local). */
  const wipeRuns = async () => {
    const response = await fetch(`${url}/api/runs?session=Wipe`, {
      headers: { authorization: `Bearer ${token}` },
    });
    return ((await response.json()) as { total: number }).total;
  };

  beforeAll(async () => {
    mkdirSync(away);
    const created = await runBuiltCli(
      ['--project', dir, 'users', 'create', 'boss', '--superuser'],
      {
        env: { MINKE_PASSWORD: 'boss-password-123' },
      },
    );
    expect(created.code, created.stderr).toBe(0);
    token = (await minke('tokens', 'create', '--user', 'boss')).stdout.trim();
    const port = await freePort();
    server = spawnBuiltCli(['--project', dir, 'start', '--port', String(port)], {
      env: { MINKE_MQTT_PORT: '0' },
    });
    await printed(server, 'press Ctrl-C', 90_000);
    url = `http://127.0.0.1:${port}`;
  }, 180_000);

  afterAll(async () => {
    server?.kill('SIGTERM');
    if (server) await exited(server, 30_000);
  });

  it('refuses without a terminal and without --yes, before anything reaches the server', async () => {
    const before = await wipeRuns();
    const refused = await remote('run', 'Wipe', '--id', 'local');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(
      'Wipe the cache (Wipe) asks for a confirmation before it runs: run it at a terminal to be asked, or add --yes',
    );
    expect(await wipeRuns()).toBe(before);
  });

  it('runs with --yes through the server, and a session without `confirm` without asking', async () => {
    const before = await wipeRuns();
    const yes = await remote('run', 'Wipe', '--id', 'local', '--yes');
    expect(yes.code, yes.stderr).toBe(0);
    expect(yes.stdout).toContain('wiped');
    expect(await wipeRuns()).toBe(before + 1);
    const hello = await remote('run', 'Hello', '--id', 'local');
    expect(hello.code, hello.stderr).toBe(0);
    expect(hello.stdout).toContain('hello');
  });

  it('asks at a terminal: yes runs it on the server, anything else posts nothing', async () => {
    const before = await wipeRuns();
    const terminal = { MINKE_TOKEN: token };
    const yes = await atTerminal(
      ['--server', url, 'run', 'Wipe', '--id', 'local'],
      'y\n',
      terminal,
    );
    expect(yes.stdout).toContain('Run Wipe the cache (Wipe) on local? [y/N]');
    expect(yes.stdout).toContain('wiped');
    expect(yes.code).toBe(0);
    expect(await wipeRuns()).toBe(before + 1);
    const no = await atTerminal(
      ['--server', url, 'run', 'Wipe', '--all', '--model', 'Host'],
      'n\n',
      terminal,
    );
    expect(no.stdout).toContain('Run Wipe the cache (Wipe) on every Host object? [y/N]');
    expect(no.stdout).toContain('not started: Wipe the cache (Wipe) was not confirmed');
    expect(no.code).toBe(2);
    expect(await wipeRuns()).toBe(before + 1);
  });
});
