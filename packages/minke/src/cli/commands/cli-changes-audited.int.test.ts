import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtMinke, exited, writeProject } from '../../../test-support/project-folder.js';
import { runBuiltCli, spawnBuiltCli } from '../../../test-support/run-cli.js';
import { type SshdServer, sshdUnavailableReason, startSshd } from '../../../test-support/sshd.js';

/**
 * Changes made at the CLI that the audit log must hold like the API's: records made by
 * `minke load`, and a `minke run` stopped (then killed) with Ctrl-C. Through the built CLI on
 * project folders (rebuild first: npx tsc -b packages/protocol packages/agent packages/minke).
 */
const tmp = mkdtempSync(join(tmpdir(), 'minke-cli-audited-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Who the CLI's rows name: MINKE_CLI_USER, as an operator's shell sets it. */
const operator = { MINKE_CLI_USER: 'carol' };

interface AuditRow {
  id: number;
  action: string;
  actor: { id: number | null; name: string };
  via: string;
  target: { type: string; id: string | null; name: string | null };
  before: unknown;
  after: Record<string, unknown> | null;
}

async function auditRows(dir: string, ...filters: string[]): Promise<AuditRow[]> {
  const listed = await builtMinke(dir, ['audit', '--json', ...filters]);
  expect(listed.code, listed.stderr).toBe(0);
  return (JSON.parse(listed.stdout) as { items: AuditRow[] }).items;
}

describe('minke load', { timeout: 180_000 }, () => {
  const dir = join(tmp, 'load');

  it('puts every group, host and record it makes in the audit log, as the CLI operator', async () => {
    const init = await runBuiltCli(['init', dir]);
    expect(init.code, init.stderr).toBe(0);
    expect((await builtMinke(dir, ['migrate'])).code).toBe(0);
    const fixtures = join(tmp, 'fleet.yaml');
    writeFileSync(
      fixtures,
      [
        'groups:',
        '  - { name: web }',
        'hosts:',
        '  - { name: web1, hostname: 127.0.0.1, groups: [web] }',
        'records:',
        '  Server:',
        '    - { host: web1, role: web, notes: loaded }',
        '',
      ].join('\n'),
    );
    const loaded = await builtMinke(dir, ['load', fixtures], operator);
    expect(loaded).toMatchObject({
      code: 0,
      stdout: `${fixtures}: loaded 1 group(s), 1 host(s), 1 record(s)\n`,
    });

    const rows = await auditRows(dir);
    expect(rows.map((row) => [row.action, row.target.type, row.target.name])).toEqual([
      ['record.create', 'Server', null],
      ['host.create', 'host', 'web1'],
      ['group.create', 'group', 'web'],
    ]);
    for (const row of rows)
      expect(row).toMatchObject({ actor: { id: null, name: 'carol (CLI)' }, via: 'cli' });
    const [record] = rows;
    expect(record?.before).toBeNull();
    expect(record?.after).toMatchObject({ role: 'web', notes: 'loaded' });
    expect(record?.target.id).toBe(String(record?.after?.['id']));

    const verified = await builtMinke(dir, ['audit', 'verify']);
    expect(verified).toMatchObject({
      code: 0,
      stdout: 'audit log OK: 3 rows, the chain is whole up to row 3\n',
    });
  });
});

describe('two CLI processes changing one SQLite project at once', { timeout: 240_000 }, () => {
  const dir = join(tmp, 'two-writers');

  // An operator's script and the server (or two scripts) write one SQLite file: an audited change
  // takes the write lock before it reads (auditedTransaction), so the two wait for each other
  // instead of one failing with "database is locked", and the chain has one row per change.
  it('both succeed, each change is audited, and the chain stays whole', async () => {
    const init = await runBuiltCli(['init', dir]);
    expect(init.code, init.stderr).toBe(0);
    expect((await builtMinke(dir, ['migrate'])).code).toBe(0);
    const writer = async (prefix: string) => {
      const results = [];
      for (let index = 0; index < 6; index++) {
        const name = `${prefix}${index}`;
        results.push(
          await builtMinke(dir, ['hosts', 'add', name, '--hostname', '127.0.0.1'], operator),
        );
        results.push(await builtMinke(dir, ['hosts', 'remove', name], operator));
      }
      return results;
    };
    const results = (await Promise.all([writer('a'), writer('b')])).flat();
    for (const result of results) expect(result.code, result.stderr).toBe(0);
    const rows = await auditRows(dir, '--limit', '100');
    expect(rows).toHaveLength(24);
    const verified = await builtMinke(dir, ['audit', 'verify']);
    expect(verified).toMatchObject({
      code: 0,
      stdout: 'audit log OK: 24 rows, the chain is whole up to row 24\n',
    });
  });
});

const unavailable = sshdUnavailableReason();
if (unavailable) process.stderr.write(`Ctrl-C audit test skipped: ${unavailable}\n`);

describe.skipIf(unavailable !== undefined)(
  'Ctrl-C on minke run (built CLI, real sshd)',
  { timeout: 180_000 },
  () => {
    const dir = join(tmp, 'interrupt');
    let sshd: SshdServer;

    beforeAll(async () => {
      sshd = await startSshd();
      writeProject(dir, {
        config: "database: 'sqlite:data.db', sessions: [Long]",
        sessions: `import { Session } from 'minke';
export class Long extends Session {
  static override workOn = ['Host'];
  override async process() {
    await this.run(${JSON.stringify(`touch ${join(dir, 'started')} && sleep 120`)});
    await this.run('echo never');
  }
}
`,
        sessionNames: ['Long'],
      });
      expect((await builtMinke(dir, ['migrate'])).code).toBe(0);
      const config = JSON.stringify({
        identityFiles: [sshd.clientKeyPath],
        agent: false,
        knownHostsFiles: [sshd.knownHostsFile],
        strictHostKeyChecking: 'yes',
      });
      const added = await builtMinke(dir, [
        ...['hosts', 'add', 'box', '--hostname', sshd.host, '--port', String(sshd.port)],
        ...['--user', sshd.user, '--config', config],
      ]);
      expect(added.stderr).toBe('');
      // The CLI runs as MINKE_CLI_USER's account when it is set.
      const carol = await builtMinke(dir, ['users', 'create', 'carol', '--superuser'], {
        MINKE_PASSWORD: 'a long password for tests',
      });
      expect(carol.code, carol.stderr).toBe(0);
    }, 120_000);
    afterAll(async () => {
      await sshd?.stop();
    });

    it('records the first press as run.stop and the second as run.kill, by the CLI operator', async () => {
      const child = spawnBuiltCli(['--project', dir, 'run', 'Long', '--id', 'box'], {
        env: operator,
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      try {
        await waitFor(
          dir,
          "SELECT 1 FROM minke_session_records WHERE process_state = 'running'",
          () => child.exitCode === null,
        ).catch((error: unknown) => {
          throw new Error(`${String(error)}; the CLI said: ${stdout}${stderr}`);
        });
        // The first press lets the running command finish: it must be running on the host by
        // then (a record is `running` from before its connection is up, and a stop that comes
        // before the command ends the session at once, never `stopping`).
        for (let i = 0; i < 600 && !existsSync(join(dir, 'started')); i++)
          await new Promise((resolve) => setTimeout(resolve, 100));
        expect(existsSync(join(dir, 'started')), `the CLI said: ${stdout}${stderr}`).toBe(true);
        child.kill('SIGINT');
        // The stop is in the log before the second press: each press is its own row.
        await waitFor(dir, "SELECT 1 FROM minke_audit_log WHERE action = 'run.stop'");
        expect(
          await rowOf(dir, "SELECT 1 FROM minke_session_records WHERE process_state = 'stopping'"),
        ).toBe(true);
        child.kill('SIGINT');
        expect(await exited(child, 60_000)).toBe(1);
      } finally {
        if (child.exitCode === null) child.kill('SIGKILL');
      }
      expect(stderr).toContain('stopping (Ctrl-C again kills)');
      expect(stderr).toContain('killing');
      expect(stdout).toMatch(/STOPPED\s+box \[box\] stopped/);
      expect(stdout).not.toContain('never');

      const rows = await auditRows(dir, '--action', 'run');
      expect(rows.map((row) => row.action)).toEqual(['run.kill', 'run.stop', 'run.start']);
      const runId = rows[2]?.target.id;
      expect(runId).toMatch(/^\d+$/);
      for (const row of rows)
        expect(row).toMatchObject({
          actor: { id: null, name: 'carol (CLI)' },
          via: 'cli',
          target: { type: 'run', id: runId },
        });
    });
  },
);

/** Whether the project's database answers `query` with a row (opened read-only, then closed). */
async function rowOf(dir: string, query: string): Promise<boolean> {
  const { default: Database } = await import('better-sqlite3');
  const db = new Database(join(dir, 'data.db'), { readonly: true, fileMustExist: true });
  try {
    return db.prepare(query).get() !== undefined;
  } finally {
    db.close();
  }
}

/** Polls until `query` finds a row (bounded: 60 s, or until `going` says to give up). */
async function waitFor(dir: string, query: string, going = () => true): Promise<void> {
  for (let attempt = 0; attempt < 600 && going(); attempt++) {
    if (await rowOf(dir, query).catch(() => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`nothing matched: ${query}`);
}
