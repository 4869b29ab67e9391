import type { LightMyRequestResponse } from 'fastify';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startApiHarness, type ApiHarness, type Caller } from '../../test-support/api-harness.js';
import { POSTGRES_URL, tempSqliteFile, type TestBackend } from '../../test-support/databases.js';
import { startFakeSshServer, type FakeSshServer } from '../../test-support/fake-ssh-server.js';
import { dropSchema, uniqueSchema } from '../../test-support/postgres-schemas.js';
import { runFinished } from '../../test-support/run-waiter.js';
import { resolveConfig } from '../config/resolve-config.js';
import { openProject } from '../runtime/open-project.js';

/**
 * Issue 10, items 1 and 4, done as an attacker with an ordinary account would: a host pointed at
 * an SSH server they control (a fake one on loopback that records the password it is offered),
 * with a connection config that names the Minke server's files, environment, keys or shell.
 */
const tmp = mkdtempSync(join(tmpdir(), 'minke-trust-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const SECRET = 'the-server-only-secret';
const SECRET_ENV = 'MINKE_TRUST_TEST_SECRET';
const secretFile = join(tmp, 'server-secret.txt');
writeFileSync(secretFile, `${SECRET}\n`, { mode: 0o600 });
process.env[SECRET_ENV] = SECRET;
const knownHosts = join(tmp, 'known_hosts');

/** A backend whose project config (minke.config.ts's `ssh`) trusts the fake server's key. */
function backendWithSsh(kind: 'sqlite' | 'postgres', ssh: Record<string, unknown>): TestBackend {
  const schema = uniqueSchema();
  const database = kind === 'sqlite' ? `sqlite:${tempSqliteFile(tmp)}` : POSTGRES_URL;
  const open = (models: readonly unknown[], _options?: unknown, sessions?: readonly unknown[]) =>
    openProject(
      resolveConfig(
        { database, models: [...models], sessions: [...(sessions ?? [])], ssh },
        { projectDir: tmp, configFile: 'test' },
        {},
      ),
      { migrate: true, ...(kind === 'postgres' ? { schema } : {}) },
    );
  return {
    name: kind,
    open,
    reopen: open,
    cleanup: () => (kind === 'postgres' ? dropSchema(schema) : Promise.resolve()),
  };
}

interface ErrorBody {
  error: { code: string; message: string; fields?: Record<string, string> };
}

describe.each(['sqlite', 'postgres'] as const)('the trust boundary on %s', (kind) => {
  let fake: FakeSshServer;
  let h: ApiHarness;
  let root: Caller;
  let attacker: Caller;
  let manager: Caller;
  let runOnly: Caller;
  let serviceViewer: Caller;
  let fullViewer: Caller;

  const hostAt = (name: string, config: Record<string, unknown>) => ({
    name,
    hostname: '127.0.0.1',
    port: fake.port,
    config: { connectTimeoutMs: 5_000, ...config },
  });

  /** Runs Hello on a host and waits for the end; the fake server admits nobody, so it fails. */
  async function runOn(caller: Caller, host: string): Promise<void> {
    const started = await caller.post('/api/runs', {
      session: 'Hello',
      model: 'Host',
      ids: [host],
    });
    expect(started.statusCode, started.body).toBe(201);
    await runFinished(h.runtime.bus, started.json<{ id: number }>().id, 30_000);
  }

  /** The request is refused with 403 naming `message`, and nothing reached the fake server. */
  function expectRefused(response: LightMyRequestResponse, message: string): void {
    expect(response.statusCode).toBe(403);
    expect(response.json<ErrorBody>().error).toMatchObject({
      code: 'permission_denied',
      message,
    });
    expect(fake.connections).toBe(0);
  }

  beforeAll(async () => {
    fake = await startFakeSshServer();
    writeFileSync(knownHosts, `${fake.knownHostsLine}\n`);
    h = await startApiHarness(
      backendWithSsh(kind, {
        knownHostsFiles: [knownHosts],
        identityFiles: [],
        agent: false,
        sshConfigFile: false,
      }),
    );
    await h.user('root', { superuser: true });
    const hostRights = ['view_host', 'add_host', 'change_host', 'run_hello'];
    await h.user('attacker', { permissions: hostRights });
    await h.user('manager', { permissions: [...hostRights, 'manage_connections'] });
    await h.user('runner', { permissions: ['run_hello', 'run_count'] });
    await h.user('service-viewer', { permissions: ['view_service', 'run_hello', 'run_count'] });
    await h.user('full-viewer', {
      permissions: ['view_service', 'view_host', 'run_hello', 'run_count'],
    });
    root = await h.withToken('root');
    attacker = await h.withToken('attacker');
    manager = await h.withToken('manager');
    runOnly = await h.withToken('runner');
    serviceViewer = await h.withToken('service-viewer');
    fullViewer = await h.withToken('full-viewer');

    // What the operator set up (CLI, fixtures): trusted as written.
    await h.project.hosts.addGroup({ name: 'plain', config: { user: 'deploy' } });
    await h.project.hosts.addGroup({ name: 'vault', config: { password: { file: secretFile } } });
    await h.project.hosts.add({
      name: 'db',
      hostname: '127.0.0.1',
      port: 1,
      config: { password: { file: secretFile }, connectTimeoutMs: 2_000 },
    });
    const local = await h.project.hosts.add({ name: 'svc-host', config: { transport: 'local' } });
    await h.project.records.create('Service', { host: local.id, name: 'api' });
  });
  beforeEach(() => fake.reset());
  afterAll(async () => {
    await h.close();
    await fake.close();
  });

  it('is a real attack: a host with a server secret hands it to the server it names', async () => {
    // manage_connections holders and superusers may do this; it shows what the others must not.
    const created = await manager.post(
      '/api/hosts',
      hostAt('trap-m', { password: { file: secretFile } }),
    );
    expect(created.statusCode, created.body).toBe(201);
    await runOn(manager, 'trap-m');
    expect(fake.passwords).toContain(SECRET);

    fake.reset();
    const byRoot = await root.post(
      '/api/hosts',
      hostAt('trap-r', { password: { env: SECRET_ENV } }),
    );
    expect(byRoot.statusCode).toBe(201);
    await runOn(root, 'trap-r');
    expect(fake.passwords).toContain(SECRET);
  });

  it('refuses a server file or environment variable as a password, naming the field', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ password: { file: secretFile } }, 'password.file'],
      [{ password: { env: SECRET_ENV } }, 'password.env'],
      [{ sudo: { password: { file: secretFile } } }, 'sudo.password.file'],
      [{ passphrase: { env: SECRET_ENV } }, 'passphrase.env'],
      [
        { proxyJump: { hostname: '127.0.0.1', password: { file: secretFile } } },
        'proxyJump.password.file',
      ],
    ];
    for (const [config, field] of cases) {
      const response = await attacker.post('/api/hosts', hostAt('trap-a', config));
      expectRefused(response, `host config field ${field} needs the manage_connections permission`);
      expect(response.json<ErrorBody>().error.fields).toEqual({
        config: 'needs the manage_connections permission',
      });
    }
    // Through the generic records door too, and as YAML text.
    expectRefused(
      await attacker.post('/api/records/Host', {
        ...hostAt('trap-a', {}),
        config: `password:\n  file: ${secretFile}\n`,
      }),
      'host config field password.file needs the manage_connections permission',
    );
    expect((await attacker.get('/api/hosts/trap-a')).statusCode).toBe(404);
    expect(
      (await attacker.post('/api/runs', { session: 'Hello', model: 'Host', ids: ['trap-a'] }))
        .statusCode,
    ).toBe(404);
    expect(fake.connections).toBe(0);
    expect(fake.passwords).toEqual([]);
  });

  it('refuses the server keys, its ssh config, its agent and its shell', async () => {
    const signingKey = h.project.config.agents.signingKeyFile;
    const cases: [Record<string, unknown>, string][] = [
      [{ identityFiles: [signingKey] }, 'identityFiles'],
      [{ sshConfigFile: secretFile }, 'sshConfigFile'],
      [{ agent: '/tmp/some-agent.sock' }, 'agent'],
      [{ agent: true }, 'agent'],
      [{ transport: 'local' }, 'transport'],
    ];
    for (const [config, field] of cases) {
      expectRefused(
        await attacker.post('/api/hosts', hostAt('trap-k', config)),
        `host config field ${field} needs the manage_connections permission`,
      );
    }
    // A change of an existing host of one's own is refused the same way.
    expect((await attacker.post('/api/hosts', hostAt('mine', {}))).statusCode).toBe(201);
    expectRefused(
      await attacker.patch('/api/hosts/mine', { config: { transport: 'local' } }),
      'host config field transport needs the manage_connections permission',
    );
    expect((await attacker.get('/api/hosts/mine')).json()).toMatchObject({
      config: { connectTimeoutMs: 5_000 },
    });
  });

  it('refuses known_hosts files with accept-new: no file is created (a manager may)', async () => {
    const target = join(tmp, `written-by-server-${kind}`);
    expectRefused(
      await attacker.post(
        '/api/hosts',
        hostAt('trap-kh', { knownHostsFiles: [target], strictHostKeyChecking: 'accept-new' }),
      ),
      'host config field knownHostsFiles needs the manage_connections permission',
    );
    expect(existsSync(target)).toBe(false);
    // The same without the list still trusts a key nobody looked at: refused too.
    expectRefused(
      await attacker.post('/api/hosts', hostAt('trap-kh', { strictHostKeyChecking: 'accept-new' })),
      'host config field strictHostKeyChecking needs the manage_connections permission',
    );

    const allowed = await manager.post(
      '/api/hosts',
      hostAt('kh-m', { knownHostsFiles: [target], strictHostKeyChecking: 'accept-new' }),
    );
    expect(allowed.statusCode).toBe(201);
    await runOn(manager, 'kh-m');
    // accept-new files the key in the database (the fleet's known_hosts), never in a server file.
    expect(existsSync(target)).toBe(false);
    expect((await manager.get('/api/host-keys?host=kh-m')).json()).toMatchObject([
      { status: 'trusted', trustedBy: 'accept-new', publicKey: fake.knownHostsLine.split(' ')[2] },
    ]);
  });

  it('refuses an OpenSSH config import that names server files, and adds none of it', async () => {
    const text = [
      'Host ok-one',
      '  HostName 127.0.0.1',
      'Host trap-i',
      '  HostName 127.0.0.1',
      `  Port ${fake.port}`,
      `  IdentityFile ${h.project.config.agents.signingKeyFile}`,
    ].join('\n');
    expectRefused(
      await attacker.post('/api/hosts/import', { text }),
      'host config field identityFiles needs the manage_connections permission',
    );
    expect((await attacker.get('/api/hosts/ok-one')).statusCode).toBe(404);
    expect((await attacker.get('/api/hosts/trap-i')).statusCode).toBe(404);
  });

  it('refuses the same in host groups: creating, changing, joining one that has them', async () => {
    expectRefused(
      await attacker.post('/api/groups', {
        name: 'evil',
        config: { password: { file: secretFile } },
      }),
      'group config field password.file needs the manage_connections permission',
    );
    expectRefused(
      await attacker.patch('/api/groups/plain', {
        config: { identityFiles: ['/etc/ssh/ssh_host_ed25519_key'] },
      }),
      'group config field identityFiles needs the manage_connections permission',
    );
    expect((await attacker.post('/api/hosts', hostAt('joiner', {}))).statusCode).toBe(201);
    expectRefused(
      await attacker.patch('/api/hosts/joiner', { groups: ['vault'] }),
      'joining host group vault (its config sets password.file) needs the manage_connections permission',
    );
    expectRefused(
      await attacker.patch('/api/groups/vault', { members: ['joiner'] }),
      'joining host group vault (its config sets password.file) needs the manage_connections permission',
    );
    expect((await attacker.get('/api/groups/vault')).json()).toMatchObject({ members: [] });
    // What the attacker may do reaches their server without any secret.
    await runOn(attacker, 'joiner');
    expect(fake.connections).toBe(1);
    expect(fake.passwords).toEqual([]);

    // A manager may.
    expect(
      (await manager.post('/api/groups', { name: 'keys', config: { identityFiles: ['/k'] } }))
        .statusCode,
    ).toBe(201);
    expect((await manager.patch('/api/hosts/joiner', { groups: ['vault'] })).statusCode).toBe(200);
  });

  it('keeps existing hosts working: other fields change, the secret cannot be redirected', async () => {
    const comment = await attacker.patch('/api/hosts/db', { comment: 'primary', disabled: false });
    expect(comment.statusCode).toBe(200);
    // Viewers see the reference (a path or a variable name), never the secret itself.
    expect(comment.json()).toMatchObject({
      comment: 'primary',
      config: { password: { file: secretFile } },
    });
    expect(comment.body).not.toContain(SECRET);
    const sameConfig = await attacker.patch('/api/hosts/db', {
      config: { password: { file: secretFile }, connectTimeoutMs: 3_000 },
    });
    expect(sameConfig.statusCode).toBe(200);

    for (const change of [
      { port: fake.port },
      { hostname: 'evil.example' },
      { config: { password: { file: secretFile }, proxyJump: `127.0.0.1:${fake.port}` } },
    ]) {
      expectRefused(
        await attacker.patch('/api/hosts/db', change),
        'changing where host db connects (it receives password.file from its own config) needs the manage_connections permission',
      );
    }
    // A new name is no new destination: the host's address is its hostname.
    expect((await attacker.patch('/api/hosts/db', { name: 'db-2' })).statusCode).toBe(200);
    expect((await attacker.patch('/api/hosts/db-2', { name: 'db' })).statusCode).toBe(200);
    expect((await attacker.get('/api/hosts/db')).json()).toMatchObject({ name: 'db', port: 1 });
    await runOn(attacker, 'db');
    expect(fake.connections).toBe(0);
  });

  it('starts a run only with view on the model, and only on what the user may view', async () => {
    const denied = await runOnly.post('/api/runs', { session: 'Hello', model: 'Host', all: true });
    expect(denied.statusCode).toBe(403);
    expect(denied.json<ErrorBody>().error.message).toBe(
      'you may not run Hello on Host: it needs the permission view_host as well',
    );
    expect(denied.body).not.toMatch(/svc-host|db|trap/);

    const onServices = await serviceViewer.post('/api/runs', {
      session: 'Hello',
      model: 'Service',
      all: true,
    });
    expect(onServices.statusCode).toBe(201);
    const started = onServices.json<{ id: number; records: { hostName: string | null }[] }>();
    // Runs on the service's host without learning its name.
    expect(started.records).toEqual([
      expect.objectContaining({ objectLabel: 'api (Service #1)', hostName: null }),
    ]);
    expect(onServices.body).not.toContain('svc-host');
    await runFinished(h.runtime.bus, started.id, 30_000);
    const detail = await serviceViewer.get(`/api/runs/${started.id}`);
    expect(detail.json<{ sessions: unknown[] }>().sessions).toEqual([
      expect.objectContaining({ hostName: null }),
    ]);
    expect(detail.body).not.toContain('svc-host');
    // Someone who may view hosts sees the name.
    expect((await root.get(`/api/runs/${started.id}`)).body).toContain('svc-host');
  });

  it('answers a filter on what the user may not view as one that matches nothing', async () => {
    const ask = (caller: Caller, where: string) =>
      caller.post('/api/runs', { session: 'Hello', model: 'Service', where });
    const nothing = await ask(serviceViewer, 'name = no-such-service');
    expect(nothing.statusCode).toBe(400);
    expect(nothing.json<ErrorBody>().error.message).toBe(
      'the selection is empty: no object matches',
    );
    for (const probe of [
      'host.name = svc-host',
      'host.name = no-such-host',
      'host.config.transport = local',
      'facts.os.id = debian',
      'name = api and host.port is null',
    ]) {
      const answer = await ask(serviceViewer, probe);
      expect({ probe, status: answer.statusCode, body: answer.body }).toEqual({
        probe,
        status: nothing.statusCode,
        body: nothing.body,
      });
    }
    // The same filter works for a user who may view hosts.
    const allowed = await ask(fullViewer, 'host.name = svc-host');
    expect(allowed.statusCode).toBe(201);
    await runFinished(h.runtime.bus, allowed.json<{ id: number }>().id, 30_000);
  });

  it('checks the selection before the form: an empty selection is the error reported', async () => {
    const empty = await fullViewer.post('/api/runs', {
      session: 'Count',
      where: 'name = no-such-service',
      data: { count: 99 },
    });
    expect(empty.statusCode).toBe(400);
    expect(empty.json<ErrorBody>().error.message).toBe('the selection is empty: no object matches');
    const badForm = await fullViewer.post('/api/runs', {
      session: 'Count',
      where: 'name = api',
      data: { count: 99 },
    });
    expect(badForm.statusCode).toBe(400);
    expect(badForm.json<ErrorBody>().error.message).toMatch(/^invalid form data for Count: count:/);
  });
});

describe.each(['sqlite', 'postgres'] as const)('a password in the project config on %s', (kind) => {
  let fake: FakeSshServer;
  let h: ApiHarness;
  let root: Caller;
  let attacker: Caller;

  beforeAll(async () => {
    fake = await startFakeSshServer();
    const trusted = join(tmp, `known_hosts_project_${kind}`);
    writeFileSync(trusted, `${fake.knownHostsLine}\n`);
    h = await startApiHarness(
      backendWithSsh(kind, {
        knownHostsFiles: [trusted],
        identityFiles: [],
        agent: false,
        sshConfigFile: false,
        connectTimeoutMs: 5_000,
        password: { env: SECRET_ENV },
      }),
    );
    await h.user('root', { superuser: true });
    await h.user('attacker', {
      permissions: ['view_host', 'add_host', 'change_host', 'run_hello'],
    });
    root = await h.withToken('root');
    attacker = await h.withToken('attacker');
    await h.project.hosts.addGroup({ name: 'via-jump', config: { proxyJump: '127.0.0.1:1' } });
    await h.project.hosts.addGroup({ name: 'notes', config: { env: { TEAM: 'ops' } } });
    await h.project.hosts.add({ name: 'inner', hostname: '10.0.0.9', groups: ['via-jump'] });
  });
  beforeEach(() => fake.reset());
  afterAll(async () => {
    await h.close();
    await fake.close();
  });

  it('hands the project password to any host: adding one needs manage_connections', async () => {
    const trap = { name: 'trap', hostname: '127.0.0.1', port: fake.port };
    const refused = await attacker.post('/api/hosts', trap);
    expect(refused.statusCode).toBe(403);
    expect(refused.json<ErrorBody>().error).toMatchObject({
      message:
        'adding a host that receives password.env from the project config needs the manage_connections permission',
      fields: { name: 'needs the manage_connections permission' },
    });
    expect(fake.connections).toBe(0);

    // What it would have given away: a superuser's host at the same place receives it.
    expect((await root.post('/api/hosts', trap)).statusCode).toBe(201);
    const started = await root.post('/api/runs', {
      session: 'Hello',
      model: 'Host',
      ids: ['trap'],
    });
    await runFinished(h.runtime.bus, started.json<{ id: number }>().id, 30_000);
    expect(fake.passwords).toContain(SECRET);
  });

  it('refuses removing a group that decides where its hosts connect; others go', async () => {
    const refused = await attacker.delete('/api/groups/via-jump');
    expect(refused.statusCode).toBe(403);
    expect(refused.json<ErrorBody>().error.message).toBe(
      'changing where host inner connects (it receives password.env from the project config) needs the manage_connections permission',
    );
    expect((await attacker.get('/api/groups/via-jump')).json()).toMatchObject({
      members: ['inner'],
    });
    expect((await attacker.patch('/api/hosts/inner', { groups: [] })).statusCode).toBe(403);
    expect((await attacker.patch('/api/hosts/inner', { comment: 'db' })).statusCode).toBe(200);
    expect((await attacker.delete('/api/groups/notes')).statusCode).toBe(204);
  });
});
