import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { projectDatabases } from '../../../test-support/project-databases.js';
import { runBuiltCli } from '../../../test-support/run-cli.js';
import { openDatabase } from '../../store/open-database.js';

// Through the user's door: `minke init`, changes made with the built CLI, then `minke audit`
// and `minke audit verify` (rebuild first: npx tsc -b packages/protocol packages/agent packages/minke).
const tmp = mkdtempSync(join(tmpdir(), 'minke-audit-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const envReference = 'CLI_AUDIT_SUDO_PASSWORD_VARIABLE';

describe.each(projectDatabases('minke_audit'))(
  'minke audit on $name',
  { timeout: 180_000 },
  (backend) => {
    afterAll(() => backend.cleanup());

    it('records CLI changes as the operator, verifies, and names an edited row', async () => {
      const dir = join(tmp, backend.name);
      expect((await runBuiltCli(['init', dir])).code).toBe(0);
      const url = await backend.url();
      const env = { MINKE_DATABASE_URL: url, MINKE_CLI_USER: 'carol' };
      const minke = (args: string[]) =>
        runBuiltCli(['--project', dir, ...args], { env, timeoutMs: 60_000 });

      expect((await minke(['migrate'])).code).toBe(0);
      const added = await minke([
        'hosts',
        'add',
        'web1',
        '--hostname',
        '127.0.0.1',
        '--config',
        `sudo: { password: { env: ${envReference} } }`,
      ]);
      expect(added.code, added.stderr).toBe(0);
      expect((await minke(['hosts', 'remove', 'web1'])).code).toBe(0);
      const enrolled = await minke(['agents', 'enroll', 'node1', '--out', join(dir, 'node1.yaml')]);
      expect(enrolled.code, enrolled.stderr).toBe(0);
      const dispatched = await minke(['dispatch', 'os', '--node', 'node1']);
      expect(dispatched.code, dispatched.stderr).toBe(0);

      const listed = await minke(['audit', '--json']);
      expect(listed.code, listed.stderr).toBe(0);
      const page = JSON.parse(listed.stdout) as { items: Record<string, unknown>[]; total: number };
      expect(page.items.map((row) => row['action'])).toEqual([
        'dispatch',
        'agent.enroll',
        'host.delete',
        'host.create',
      ]);
      expect(page.items[0]).toMatchObject({ target: { type: 'request', name: 'os' } });
      expect(page.items[1]).toMatchObject({ target: { type: 'agent', name: 'node1' } });
      expect(page.items[3]).toMatchObject({
        actor: { id: null, name: 'carol (CLI)' },
        via: 'cli',
        target: { type: 'host', name: 'web1' },
        after: { config: { sudo: { password: '[secret]' } } },
      });
      expect(listed.stdout).not.toContain(envReference);
      const brokerPassword = /^password: (.+)$/m.exec(
        readFileSync(join(dir, 'node1.yaml'), 'utf8'),
      )?.[1];
      expect(brokerPassword?.length).toBeGreaterThan(10);
      expect(listed.stdout).not.toContain(brokerPassword);
      const table = await minke(['audit', '--action', 'host.create']);
      expect(table.stdout).toMatch(
        /^ID\s+AT\s+ACTOR\s+FROM\s+ACTION\s+TARGET\n1\s+\S+\s+carol \(CLI\)\s+cli\s+host\.create\s+host web1\n$/,
      );

      const ok = await minke(['audit', 'verify']);
      expect(ok).toMatchObject({
        code: 0,
        stdout: 'audit log OK: 4 rows, the chain is whole up to row 4\n',
      });

      // Someone with database access rewrites who made the first change.
      const database = await openDatabase(url ?? `sqlite:${join(dir, 'minke.db')}`, {
        baseDir: dir,
      });
      try {
        await sql`update minke_audit_log set actor_name = 'nobody' where id = 1`.execute(
          database.db,
        );
      } finally {
        await database.close();
      }
      const broken = await minke(['audit', 'verify']);
      expect(broken.code).toBe(1);
      expect(broken.stderr).toBe(
        'audit log BROKEN at row 1: its content does not match its hash (0 rows before it are intact)\n',
      );
    });
  },
);
