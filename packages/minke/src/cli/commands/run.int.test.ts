import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { processComesTo } from '../../../test-support/processes.js';
import { runCli, spawnCli } from '../../../test-support/run-cli.js';

const tmp = mkdtempSync(join(tmpdir(), 'minke-run-cli-'));
const dir = join(tmp, 'p');
const minke = (...args: string[]) => runCli(['--project', dir, ...args]);

beforeAll(async () => {
  expect((await runCli(['init', dir])).code).toBe(0);
  // The scaffolded sessions, plus a slow one to stop.
  writeFileSync(
    join(dir, 'sessions.ts'),
    `import { Session, SessionChain, SingleCommandSession, z } from 'minke';
import { Server } from './models.js';
export { ServerInfo, DiskUsage } from './sessions-init.js';

export class Slow extends Session {
  static override workOn = ['Host'];
  override async process() {
    await this.xrun('sleep 2.125; echo slept');
    await this.xrun('echo never');
  }
}

/** Hangs past its time limit: Minke stops it, kills its command and fails it. */
export class Hung extends Session {
  static override workOn = ['Host'];
  static override timeoutMs = 1500;
  override async process() {
    await this.xrun('sleep 30 # minke-run-hung; echo never');
    await this.xrun('echo nor this');
  }
}

/** A chained step with a limit of its own, and one after it. */
class WaitStep extends Session {
  static override timeoutMs = 1000;
  override async process() {
    await this.xrun('sleep 30 # minke-chain-step; echo never');
  }
}
class AfterStep extends Session {
  override async process() {
    await this.xrun('echo after the step');
  }
}
/** Goes on past a chained session's error (and so past its time-out). */
export class Staged extends SessionChain {
  static override workOn = ['Host'];
  static override sessions = [WaitStep, AfterStep];
  static override breakStates = [];
}
/** Stops at a chained session's error, as chains do by default. */
export class StagedStrict extends SessionChain {
  static override workOn = ['Host'];
  static override sessions = [WaitStep, AfterStep];
}

/** Never yields: a loop without an await holds the process that runs it. */
export class Spin extends Session {
  static override workOn = ['Host'];
  override async process() {
    const until = Date.now() + 60_000;
    while (Date.now() < until) {}
  }
}

/** Runs nothing: a run on many hosts that costs no process per host. */
export class Quiet extends Session {
  static override workOn = ['Host'];
  override async process() {}
}

export class Count extends SingleCommandSession {
  static override workOn = [Server];
  static override command = 'seq 1 {n}';
  static override form = z.object({ n: z.number().int().min(1).max(100), note: z.string().optional() });
}
`,
  );
  const { readFileSync } = await import('node:fs');
  const { projectTemplates } = await import('../init/templates.js');
  writeFileSync(join(dir, 'sessions-init.ts'), projectTemplates['sessions.ts'] ?? '');
  const config = readFileSync(join(dir, 'minke.config.ts'), 'utf8')
    .replace(
      "import { DiskUsage, ServerInfo } from './sessions.js';",
      "import { Count, DiskUsage, Hung, Quiet, ServerInfo, Slow, Spin, Staged, StagedStrict } from './sessions.js';",
    )
    .replace(
      'sessions: [ServerInfo, DiskUsage]',
      'sessions: [ServerInfo, DiskUsage, Slow, Count, Quiet, Hung, Spin, Staged, StagedStrict]',
    );
  writeFileSync(join(dir, 'minke.config.ts'), config);
  expect((await minke('migrate')).code).toBe(0);
  expect((await minke('hosts', 'add', 'local', '--config', 'transport: local')).code).toBe(0);
  expect(
    (
      await minke(
        'hosts',
        'add',
        'nowhere',
        '--hostname',
        '127.0.0.1',
        '--port',
        '1',
        '--config',
        'sshConfigFile: false',
      )
    ).code,
  ).toBe(0);
  writeFileSync(
    join(tmp, 'servers.yaml'),
    'records:\n  Server:\n    - { host: local }\n    - { host: nowhere }\n',
  );
  expect((await minke('load', join(tmp, 'servers.yaml'))).code).toBe(0);
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

// Each case spawns the CLI (about a second each); on a busy two-core machine that adds up.
describe('minke run', { timeout: 180_000 }, () => {
  it('runs a session, prints each status line and a summary, exits 0', async () => {
    const result = await minke('run', 'DiskUsage', '--model', 'Host', '--id', 'local');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      /^SUCCESS local \[local\] completed in \d+\.\d s\n {2}info {3}: code\[0\] {3}df -h\n/,
    );
    expect(result.stdout).toMatch(/1 session\(s\): 1 success, 0 warning, 0 error\n$/);
  });

  it('updates objects, and exits 1 when a session ends in error (an unreachable host)', async () => {
    const result = await minke('run', 'ServerInfo', '--all');
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('ERROR   Server #2 [nowhere] failed');
    expect(result.stdout).toMatch(/connection refused/);
    const servers = await minke(
      'records',
      'list',
      'Server',
      '--where',
      'host.name = local',
      '--json',
    );
    const os = (JSON.parse(servers.stdout) as { items: { os: string | null }[] }).items[0]?.os;
    expect(os).toMatch(/\S/);
    // What the session wrote is in the server's changes, by the session, via its run.
    const changes = await minke('records', 'changes', 'Server', '1');
    expect(changes.stdout).toMatch(
      /^\S+ \S+\s+session ServerInfo\s+run \d+\s+record\.update\s+os - → \S/m,
    );
  });

  it('fails a session past its time limit, its command killed, and lists the limit', async () => {
    const started = Date.now();
    const result = await minke('run', 'Hung', '--model', 'Host', '--id', 'local');
    expect(result.code).toBe(1);
    expect(Date.now() - started).toBeLessThan(25_000);
    expect(result.stdout).toMatch(/^ERROR\s+local \[local\] failed in \d+\.\d s$/m);
    expect(result.stdout).toContain(
      "timed out: the session's limit is 1.5 s; it was stopped and its running command killed",
    );
    expect(result.stdout).not.toContain('nor this');
    expect(result.stdout).toContain('1 session(s): 0 success, 0 warning, 1 error');
    const ps = await minke('run', 'DiskUsage', '--model', 'Host', '--id', 'local', '--json');
    expect(ps.code).toBe(0);
    const { execFileSync } = await import('node:child_process');
    expect(execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' })).not.toContain(
      'minke-run-hung',
    );
    const listed = await minke('sessions', 'list', '--model', 'Host');
    expect(listed.stdout).toMatch(/^TIMEOUT$|\sTIMEOUT$/m);
    expect(listed.stdout).toMatch(/^Hung\s.*\s1\.5 s$/m);
  });

  it("stops a chained session past its own limit, its command killed; the chain's breakStates decide the rest", async () => {
    const started = Date.now();
    const staged = await minke('run', 'Staged', '--model', 'Host', '--id', 'local');
    expect(Date.now() - started).toBeLessThan(25_000);
    expect(staged.code).toBe(1);
    expect(staged.stdout).toContain(
      "timed out: Wait step's limit is 1 s; it was stopped and its running command killed",
    );
    expect(staged.stdout).not.toMatch(/: never$/m);
    // The chain went on: its next session ran, and the chain ends in error.
    expect(staged.stdout).toMatch(/: after the step$/m);
    expect(staged.stdout).toContain('1 session(s): 0 success, 0 warning, 1 error');
    const strict = await minke('run', 'StagedStrict', '--model', 'Host', '--id', 'local');
    expect(strict.code).toBe(1);
    expect(strict.stdout).toContain("timed out: Wait step's limit is 1 s");
    expect(strict.stdout).toContain('Wait step finished with status error');
    expect(strict.stdout).not.toContain('after the step');
    const { execFileSync } = await import('node:child_process');
    expect(execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' })).not.toContain(
      'minke-chain-step',
    );
  });

  it('fails a session past the time limit given with --timeout; refuses a limit that is none', async () => {
    // Slow has no limit of its own; its first command takes 2.1 s.
    const slowOnLocal = ['run', 'Slow', '--model', 'Host', '--id', 'local'];
    const result = await minke(...slowOnLocal, '--timeout', '1s');
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^ERROR\s+local \[local\] failed in \d+\.\d s$/m);
    expect(result.stdout).toContain(
      "timed out: the run's limit is 1 s; it was stopped and its running command killed",
    );
    expect(result.stdout).not.toContain('slept');
    // The whole run's limit: the same session, the same cut, its own words.
    const whole = await minke(...slowOnLocal, '--run-timeout', '1s');
    expect(whole.code).toBe(1);
    expect(whole.stdout).toContain(
      "timed out: the whole run's limit is 1 s; it was stopped and its running command killed",
    );
    expect(whole.stdout).not.toContain('slept');
    const badWhole = await minke(...slowOnLocal, '--run-timeout', 'soon');
    expect([badWhole.code, badWhole.stderr.trim()]).toEqual([
      2,
      'minke: error: --run-timeout: "soon" is not a time limit: write 90s, 30m or 2h (a bare number is seconds)',
    ]);
    for (const [given, said] of [
      ['0', 'a time limit must be more than 0 (got "0")'],
      ['5 days', '"5 days" is not a time limit: write 90s, 30m or 2h (a bare number is seconds)'],
      ['900h', 'a time limit must be at most 596 h, 24.8 days (got "900h")'],
    ] as const) {
      const refused = await minke(...slowOnLocal, '--timeout', given);
      expect([refused.code, refused.stderr.trim()]).toEqual([
        2,
        `minke: error: --timeout: ${said}`,
      ]);
    }
  });

  it('kills a run whose session never yields, saying why; the session then ends "worker lost"', async () => {
    const started = Date.now();
    const held = await runCli(
      ['--project', dir, 'run', 'Spin', '--model', 'Host', '--id', 'local'],
      {
        env: { MINKE_EXECUTOR_THREAD_STALL_SECONDS: '2' },
      },
    );
    // Killed (no exit code) in seconds, not after the session's 60 s loop.
    expect(held.code).toBeNull();
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(held.stderr).toMatch(
      /^minke: minke run has not run its event loop for [23] s: a session that never yields \(a loop without an await\?\) holds it; killing the process \(its sessions end "worker lost"\)$/m,
    );
    const history = await minke('history', '--session', 'Spin', '--json');
    const items = (JSON.parse(history.stdout) as { items: { processState: string; id: number }[] })
      .items;
    expect(items.map((item) => item.processState)).toEqual(['failed']);
    const record = await minke('history', 'show', String(items[0]?.id));
    expect(record.stdout).toContain('worker lost');
  });

  it('types --data by the form and prints JSON with --json', async () => {
    const result = await minke(
      'run',
      'Count',
      '--where',
      'host.name = local',
      '--data',
      'n=3',
      '--data',
      'note=a=b',
      '--json',
    );
    expect(result.code).toBe(0);
    const outcome = JSON.parse(result.stdout) as {
      summary: { success: number };
      records: { processState: string }[];
    };
    expect(outcome.summary.success).toBe(1);
    expect(outcome.records[0]?.processState).toBe('completed');
    const history = JSON.parse((await minke('history', 'show', '1', '--json')).stdout) as {
      commands: { command: string }[];
    };
    expect(history.commands[0]?.command).toBe('df -h');
  });

  it('says what is wrong with the request, exit 2, running nothing', async () => {
    const cases: [string[], string][] = [
      [
        ['run', 'Nope', '--all'],
        'minke: error: unknown session "Nope" (known: ServerInfo, DiskUsage, Slow, Count, Quiet, Hung, Spin, Staged, StagedStrict)',
      ],
      [
        ['run', 'Count', '--model', 'Host', '--all'],
        'minke: error: Count does not work on Host: it works on Server',
      ],
      [
        ['run', 'DiskUsage', '--all'],
        'minke: error: DiskUsage works on Host, Server: name one with --model',
      ],
      [
        ['run', 'Count', '--all', '--data', 'n=zero'],
        'minke: error: invalid form data for Count: n:',
      ],
      [['run', 'Count', '--all'], 'minke: error: invalid form data for Count: n:'],
      [
        ['run', 'Count', '--all', '--data', 'colour=red'],
        "minke: error: --data colour: not a field of this session's form (fields: n, note)",
      ],
      [['run', 'Count', '--all', '--data', 'n'], 'minke: error: --data "n": write key=value'],
      [
        ['run', 'Count', '--where', 'host.name =', '--data', 'n=1'],
        'minke: error: invalid --where',
      ],
      [
        ['run', 'Count', '--all', '--id', '1', '--data', 'n=1'],
        'minke: error: select objects with exactly one of: --id, --where, --all',
      ],
      [['run', 'Count', '--id', '99', '--data', 'n=1'], 'minke: error: Server 99 does not exist'],
    ];
    const before = JSON.parse((await minke('history', '--json')).stdout) as { total: number };
    for (const [args, message] of cases) {
      const result = await minke(...args);
      expect({ args, code: result.code }).toEqual({ args, code: 2 });
      expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(result.stderr).toContain(message);
    }
    const after = JSON.parse((await minke('history', '--json')).stdout) as { total: number };
    expect(after.total).toBe(before.total);
  });

  it('makes a first admin with a random password only while there is none', async () => {
    const first = await minke('users', 'create', 'boss', '--first-admin');
    expect(first.stdout).toMatch(
      /^created superuser boss; its password, shown only now: \S{16}\n$/,
    );
    const again = await minke('users', 'create', 'boss2', '--first-admin');
    expect(again).toMatchObject({ code: 0, stdout: '' });
  });

  it('checks the run permission of the user it runs as', async () => {
    const env = { MINKE_PASSWORD: 'operator password' };
    expect((await runCli(['--project', dir, 'users', 'create', 'ops'], { env })).code).toBe(0);
    const denied = await minke(
      'run',
      'DiskUsage',
      '--model',
      'Host',
      '--id',
      'local',
      '--user',
      'ops',
    );
    expect(denied.code).toBe(1);
    expect(denied.stderr).toBe(
      'minke: error: you may not run DiskUsage: it needs the permission(s) run_disk_usage\n',
    );
    const list = await minke('permissions', 'list');
    expect(list.stdout).toMatch(/run_disk_usage\s+Can run Disk usage/);
    expect((await minke('users', 'grant', 'ops', 'run_disk_usage')).stdout).toBe(
      'granted run_disk_usage to ops\n',
    );
    // Running on hosts also needs seeing them.
    expect((await minke('users', 'grant', 'ops', 'view_host')).code).toBe(0);
    const allowed = await runCli(
      ['--project', dir, 'run', 'DiskUsage', '--model', 'Host', '--id', 'local'],
      {
        env: { MINKE_CLI_USER: 'ops' },
      },
    );
    expect(allowed.code, allowed.stderr).toBe(0);
    const unknown = await minke('users', 'grant', 'ops', 'run_everything');
    expect(unknown.stderr).toContain('unknown permission(s): run_everything');
  });

  it('prints every record of a run on more objects than a list page holds (--json)', async () => {
    // 1,001 hosts: the history gives 1,000 records a request, the run's JSON has them all.
    const names = Array.from({ length: 1001 }, (_, i) => `many-${String(i).padStart(4, '0')}`);
    const fixture = join(tmp, 'many.yaml');
    writeFileSync(
      fixture,
      `hosts:\n${names.map((name) => `  - { name: ${name}, config: { transport: local } }`).join('\n')}\n`,
    );
    expect((await minke('load', fixture)).code).toBe(0);
    const result = await minke('run', 'Quiet', '--where', 'name ^= many-', '--json');
    expect(result.code, result.stderr).toBe(0);
    const outcome = JSON.parse(result.stdout) as {
      summary: { all: number; success: number };
      records: { objectLabel: string }[];
    };
    expect([outcome.summary.all, outcome.summary.success]).toEqual([1001, 1001]);
    expect(outcome.records).toHaveLength(1001);
    // Oldest first, as the run's API reply (and so `--server … run --json`) has them.
    expect(outcome.records.map((record) => record.objectLabel)).toEqual(names);
  });

  it('stops on Ctrl-C after the current command', async () => {
    const child = spawnCli(['--project', dir, 'run', 'Slow', '--id', 'local']);
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    // Pressed while the command runs (the session's record says running before it starts).
    expect(await processComesTo('sleep 2.125', true)).toBe(true);
    child.kill('SIGINT');
    const code = await exited;
    expect(code).toBe(1);
    expect(stdout).toMatch(/STOPPED local \[local\] stopped in \d+\.\d s/);
    // exit 1 (the work was not done), and the summary says stopped, not error
    expect(stdout).toContain('1 session(s): 0 success, 0 warning, 0 error, 1 stopped or canceled');
    expect(stdout).toContain('slept');
    expect(stdout).not.toContain('never');
    expect(stdout).toMatch(/stopped after \d+\.\d s/);
  });
});
