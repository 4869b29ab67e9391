import type { ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InventoryPlan, InventorySourceList } from '@minke/contract';
import { exited, printed } from '../../test-support/project-folder.js';
import { projectDatabases } from '../../test-support/project-databases.js';
import { freePort } from '../../test-support/redis.js';
import { runBuiltCli, spawnBuiltCli } from '../../test-support/run-cli.js';

/**
 * Inventory sources through the user's doors, on SQLite and PostgreSQL: a project folder whose
 * minke.config.ts declares the sources, the built `minke` CLI, and a built `minke start` for the
 * API and a scheduled sync. A CSV file, a JSON URL (a loopback server of the test) and an
 * Ansible-style command; a dry run first, then adding, changing and disabling; a hand-added host
 * never touched; and each kind of bad input refused with its message, changing nothing.
 * (Rebuild first: npx tsc -b packages/contract packages/protocol packages/agent packages/minke.)
 */
const tmp = mkdtempSync(join(tmpdir(), 'minke-inventory-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const MODELS = `import { defineModel, f } from 'minke';
export const Server = defineModel('Server', {
  fields: {
    host: f.ref('Host', { unique: true }),
    role: f.enum(['web', 'db', 'other'], { default: 'other' }),
    cores: f.int({ optional: true }),
  },
  hostLookup: 'host',
});
`;

const ANSIBLE_SCRIPT = `const list = {
  all: { children: ['app'] },
  app: { children: ['web'] },
  web: { hosts: ['cmd-1', 'cmd-2'] },
  _meta: { hostvars: { 'cmd-1': { ansible_host: '10.1.0.1', ansible_user: 'ops', ansible_port: 2201 } } },
};
process.stdout.write(JSON.stringify(list));
`;

function config(urlBase: string, closedPort: number): string {
  return `import { defineConfig, defineInventorySource } from 'minke';
import { Server } from './models.js';
export default defineConfig({
  models: [Server],
  inventory: [
    defineInventorySource({ name: 'csv', from: { file: 'hosts.csv' }, model: 'Server' }),
    defineInventorySource({ name: 'api', from: { url: '${urlBase}/inventory.json' } }),
    defineInventorySource({ name: 'script', from: { command: ['node', 'inventory.mjs', '--list'] } }),
    defineInventorySource({ name: 'broken-json', from: { url: '${urlBase}/broken.json' } }),
    defineInventorySource({ name: 'bad-csv', from: { file: 'bad.csv' } }),
    defineInventorySource({ name: 'unknown-group', from: { file: 'unknown-group.yaml' } }),
    defineInventorySource({ name: 'dupes', from: { file: 'dupes.csv' } }),
    defineInventorySource({ name: 'down', from: { url: 'http://127.0.0.1:${closedPort}/x.json' } }),
    defineInventorySource({ name: 'slow', from: { command: ['node', '-e', 'setTimeout(() => {}, 60000)'] }, timeoutMs: 1000 }),
    defineInventorySource({ name: 'failing', from: { command: ['node', '-e', 'console.error("step 1"); console.error("token expired"); process.exit(3)'] } }),
    defineInventorySource({ name: 'openssh', from: { sshConfig: 'ssh_config' } }),
    defineInventorySource({ name: 'ticking', from: { file: 'tick.yaml' }, schedule: '* * * * * *' }),
  ],
});
`;
}

const FILES: Record<string, string> = {
  'package.json': '{ "type": "module", "private": true }\n',
  'models.ts': MODELS,
  'inventory.mjs': ANSIBLE_SCRIPT,
  'hosts.csv':
    'name,hostname,port,user,groups,role,cores\n' +
    'web-1,10.0.0.1,22,deploy,web,web,4\n' +
    'web-2,10.0.0.2,,deploy,web,web,\n' +
    'db-1,10.0.0.3,2222,,db,db,8\n',
  'bad.csv': 'name,hostname\nok-1,10.0.0.9\n"bad-1,10.0.0.10\n',
  'unknown-group.yaml': 'hosts:\n  - name: ug-1\n    groups: [nope]\n',
  'dupes.csv': 'name,hostname\ndup-1,10.0.0.1\ndup-2,10.0.0.2\ndup-1,10.0.0.3\n',
  ssh_config:
    'Host *\n  User fallback\n\nHost jump-1\n  HostName 10.3.0.1\n  Port 2022\n  IdentityFile ~/.ssh/jump_ed25519\n\nHost bastion-?\n  User nobody\n',
  'tick.yaml': 'hosts:\n  - name: tick-1\n    hostname: 10.9.0.1\n',
};

/** The loopback server the URL sources read: a good document and a malformed one. */
function documentServer(): Server {
  return createServer((request, response) => {
    if (request.url === '/inventory.json') {
      response.setHeader('content-type', 'application/json');
      response.end(
        JSON.stringify({ hosts: [{ name: 'api-1', hostname: '10.2.0.1', groups: ['db'] }] }),
      );
    } else if (request.url === '/broken.json') {
      response.setHeader('content-type', 'application/json');
      response.end('{\n  "hosts": [\n    { "name": "x" },,\n  ]\n}\n');
    } else {
      response.statusCode = 404;
      response.end();
    }
  });
}

interface HostRow {
  name: string;
  hostname: string | null;
  port: number | null;
  user: string | null;
  disabled: boolean;
  groups: string[];
}

describe.each(projectDatabases('minke_inventory'))(
  'inventory sources on $name',
  { timeout: 240_000 },
  (backend) => {
    const dir = join(tmp, backend.name);
    let env: Record<string, string | undefined> = {};
    let documents: Server;
    const minke = (...args: string[]) =>
      runBuiltCli(['--project', dir, ...args], { env, timeoutMs: 90_000 });
    const ok = async (...args: string[]) => {
      const result = await minke(...args);
      expect(result.code, `minke ${args.join(' ')}: ${result.stderr}`).toBe(0);
      return result.stdout;
    };
    const hosts = async (): Promise<Map<string, HostRow>> => {
      const page = JSON.parse(await ok('hosts', 'list', '--limit', '1000', '--json')) as {
        items: HostRow[];
      };
      return new Map(page.items.map((host) => [host.name, host]));
    };
    const write = (file: string, text: string) => writeFileSync(join(dir, file), text);

    beforeAll(async () => {
      documents = documentServer();
      await new Promise<void>((resolve) => documents.listen(0, '127.0.0.1', resolve));
      const address = documents.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      mkdirSync(dir, { recursive: true });
      for (const [file, text] of Object.entries(FILES)) write(file, text);
      write('minke.config.ts', config(`http://127.0.0.1:${port}`, await freePort()));
      env = { MINKE_DATABASE_URL: await backend.url(), MINKE_MQTT_PORT: '0' };
      await ok('migrate');
      await ok('groups', 'add', 'web');
      await ok('groups', 'add', 'db');
      await ok('groups', 'add', 'app');
      await ok('hosts', 'add', 'hand-1', '--hostname', '10.9.9.9');
    }, 240_000);
    afterAll(async () => {
      await new Promise((resolve) => documents.close(resolve));
      await backend.cleanup();
    });

    it('dry-runs, then adds, changes and disables hosts and records; a hand-added host is untouched', async () => {
      const dry = await ok('inventory', 'sync', 'csv', '--dry-run');
      expect(dry).toMatch(/^csv \(dry run: nothing changed\): would add 3, would change 0/m);
      expect(dry).toMatch(/^ {2}\+ web-1 {2}deploy@10\.0\.0\.1:22 groups web$/m);
      expect(dry).toMatch(/^ {2}\+ Server of db-1 {2}role: - → db, cores: - → 8$/m);
      expect([...(await hosts()).keys()]).toEqual(['hand-1']);

      const added = JSON.parse(await ok('inventory', 'sync', 'csv', '--json')) as InventoryPlan;
      expect(added.added.map((host) => host.name)).toEqual(['web-1', 'web-2', 'db-1']);
      expect(added.dryRun).toBe(false);
      const after = await hosts();
      expect(after.get('db-1')).toMatchObject({ hostname: '10.0.0.3', port: 2222, groups: ['db'] });
      const servers = JSON.parse(await ok('records', 'list', 'Server', '--json')) as {
        items: { role: string; cores: number | null }[];
      };
      expect(servers.items.map((s) => `${s.role} ${s.cores ?? '-'}`).sort()).toEqual([
        'db 8',
        'web -',
        'web 4',
      ]);

      // The source changes: web-2 gets a port and a new role, db-1 goes, web-3 comes.
      write(
        'hosts.csv',
        'name,hostname,port,user,groups,role,cores\n' +
          'web-1,10.0.0.1,22,deploy,web,web,4\n' +
          'web-2,10.0.0.2,2200,deploy,web,db,\n' +
          'web-3,10.0.0.4,,,web,web,2\n',
      );
      const plan = await ok('inventory', 'sync', 'csv', '--dry-run');
      expect(plan).toMatch(/would add 1, would change 1, would remove 1, 1 unchanged/);
      expect(plan).toMatch(/^ {2}~ web-2 {2}port: - → 2200$/m);
      expect(plan).toMatch(/^ {2}- db-1 {2}disabled$/m);
      expect(plan).toMatch(/^ {2}~ Server of web-2 {2}role: web → db$/m);
      expect((await hosts()).get('web-2')?.port).toBeNull();

      const applied = await ok('inventory', 'sync', 'csv');
      expect(applied).toMatch(/^csv: add 1, change 1, remove 1, 1 unchanged$/m);
      const now = await hosts();
      expect(now.get('web-2')?.port).toBe(2200);
      expect(now.get('db-1')?.disabled).toBe(true);
      expect(now.get('web-3')?.disabled).toBe(false);
      expect(now.get('hand-1')).toMatchObject({ hostname: '10.9.9.9', disabled: false });

      // Listed again, the host the source disabled comes back.
      write('hosts.csv', 'name,hostname,port,user,groups\ndb-1,10.0.0.3,2222,,db\n');
      const back = await ok('inventory', 'sync', 'csv');
      expect(back).toMatch(/^ {2}~ db-1 {2}disabled: true → false$/m);
      expect((await hosts()).get('db-1')?.disabled).toBe(false);
      expect((await hosts()).get('web-1')?.disabled).toBe(true);

      const audit = await ok('audit', '--action', 'inventory', '--json');
      expect((JSON.parse(audit) as { items: unknown[] }).items).toHaveLength(3);
      const list = JSON.parse(await ok('inventory', 'list', '--json')) as InventorySourceList;
      expect(list.items.find((source) => source.name === 'csv')).toMatchObject({
        kind: 'file',
        hosts: 4,
        lastSync: { ok: true, added: 0, changed: 1, removed: 3 },
      });

      // An emptied export would disable every host the source added: refused unless asked.
      write('hosts.csv', 'name,hostname\n');
      const empty = await minke('inventory', 'sync', 'csv');
      expect(empty.stderr).toMatch(
        /inventory source csv: the source lists no hosts: a sync would disable all 1 host\(s\) it added; sync with allowEmpty \(--allow-empty\)/,
      );
      expect(empty.code).toBe(2);
      expect(await ok('inventory', 'sync', 'csv', '--dry-run', '--allow-empty')).toMatch(
        /^ {2}- db-1 {2}disabled$/m,
      );
      expect((await hosts()).get('db-1')?.disabled).toBe(false);
      write('hosts.csv', 'name,hostname,port,user,groups\ndb-1,10.0.0.3,2222,,db\n');
    });

    it('reads a JSON URL and an Ansible-style command', async () => {
      expect(await ok('inventory', 'sync', 'api')).toMatch(
        /^ {2}\+ api-1 {2}10\.2\.0\.1 groups db$/m,
      );
      await ok('inventory', 'sync', 'script');
      const all = await hosts();
      expect(all.get('cmd-1')).toMatchObject({ hostname: '10.1.0.1', port: 2201, user: 'ops' });
      expect(all.get('cmd-1')?.groups.sort()).toEqual(['app', 'web']);
      expect(all.get('cmd-2')?.groups.sort()).toEqual(['app', 'web']);
      // Another source's host is never this one's to remove.
      expect(await ok('inventory', 'sync', 'api', '--dry-run')).toMatch(
        /would remove 0, 1 unchanged/,
      );
    });

    it('reads an OpenSSH config: concrete Host entries with their options, patterns as defaults', async () => {
      expect(await ok('inventory', 'sync', 'openssh')).toMatch(
        /^ {2}\+ jump-1 {2}fallback@10\.3\.0\.1:2022$/m,
      );
      const shown = JSON.parse(await ok('hosts', 'show', 'jump-1', '--json')) as {
        config: Record<string, unknown>;
      };
      expect(shown.config).toMatchObject({ identityFiles: ['~/.ssh/jump_ed25519'] });
      expect((await hosts()).has('bastion-?')).toBe(false);
    });

    it.each([
      ['broken-json', /inventory source broken-json: JSON: line 3, column \d+: /],
      ['bad-csv', /inventory source bad-csv: CSV line 3: a quoted cell is never closed/],
      [
        'unknown-group',
        /inventory source unknown-group: hosts\[0\] \(ug-1\): unknown group\(s\): nope/,
      ],
      ['dupes', /inventory source dupes: host dup-1 is listed twice: line 2 and line 4/],
      [
        'down',
        /inventory source down: http:\/\/127\.0\.0\.1:\d+\/x\.json: cannot be reached \(ECONNREFUSED/,
      ],
      ['slow', /inventory source slow: command node -e .*: did not finish within 1 s \(killed\)/],
      [
        'failing',
        /inventory source failing: command node -e .*: exited with status 3; its stderr ends: step 1 \| token expired/,
      ],
    ])('refuses %s with a clear message and changes nothing', async (name, message) => {
      const before = await ok('hosts', 'list', '--json');
      const result = await minke('inventory', 'sync', name);
      expect(result.stderr).toMatch(message);
      expect(result.code).toBe(2); // what the source says is wrong, as with any input
      expect(await ok('hosts', 'list', '--json')).toBe(before);
    });

    it('serves the list and a dry run over the API, and syncs a source on its schedule', async () => {
      const created = await runBuiltCli(['--project', dir, 'users', 'create', 'ops'], {
        env: { ...env, MINKE_PASSWORD: 'ops-password-123' },
      });
      expect(created.code, created.stderr).toBe(0);
      await ok('users', 'grant', 'ops', 'view_host', 'add_host', 'change_host');
      const token = (await ok('tokens', 'create', '--user', 'ops')).trim();
      const port = await freePort();
      const server: ChildProcess = spawnBuiltCli(
        ['--project', dir, 'start', '--port', String(port)],
        { env },
      );
      try {
        await printed(server, 'press Ctrl-C', 90_000);
        const call = async (method: string, path: string, body?: unknown) => {
          const response = await fetch(`http://127.0.0.1:${port}/api${path}`, {
            method,
            headers: {
              authorization: `Bearer ${token}`,
              ...(body === undefined ? {} : { 'content-type': 'application/json' }),
            },
            ...(body === undefined ? {} : { body: JSON.stringify(body) }),
          });
          return { status: response.status, body: await response.json() };
        };
        const list = await call('GET', '/inventory');
        expect(list.status).toBe(200);
        expect((list.body as InventorySourceList).items.map((s) => s.name)).toContain('api');
        write('tick.yaml', 'hosts:\n  - name: tick-1\n    hostname: 10.9.0.1\n  - name: tick-2\n');
        const dry = await call('POST', '/inventory/csv/sync', { dryRun: true });
        expect(dry.status).toBe(200);
        expect(dry.body).toMatchObject({ source: 'csv', dryRun: true, unchanged: 1 });
        const missing = await call('POST', '/inventory/nope/sync', {});
        expect(missing.status).toBe(404);

        // The source with a schedule of every second: its hosts appear without being asked.
        const end = Date.now() + 30_000;
        let names: string[] = [];
        while (Date.now() < end) {
          names = [...(await hosts()).keys()];
          if (names.includes('tick-2')) break;
          await new Promise((resolve) => setTimeout(resolve, 500));
        }
        expect(names).toEqual(expect.arrayContaining(['tick-1', 'tick-2']));
      } finally {
        server.kill('SIGTERM');
        await exited(server, 30_000);
      }
    });
  },
);
