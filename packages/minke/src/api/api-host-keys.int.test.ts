import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startApiHarness, type ApiHarness, type Caller } from '../../test-support/api-harness.js';
import { backendFactories } from '../../test-support/databases.js';
import { runFinished } from '../../test-support/run-waiter.js';
import { startSshd, sshdUnavailableReason, type SshdServer } from '../../test-support/sshd.js';

/**
 * Issue 10, item 3: the fleet's host keys in the database, against real OpenSSH servers. `first`
 * and `second` are two sshd with different host keys that admit the same client key: pointing a
 * host from one to the other is a host whose key changed.
 */
let tmp: string;
let first: SshdServer;
let second: SshdServer;

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'minke-api-host-keys-'));
  first = await startSshd();
  second = await startSshd({ trustClientsOf: first });
}, 60_000);
afterAll(async () => {
  await Promise.all([first.stop(), second.stop()]);
  await rm(tmp, { recursive: true, force: true });
});

interface KeyRow {
  host: string;
  fingerprint: string;
  status: string;
  trustedBy: string | null;
}

describe.skipIf(sshdUnavailableReason())('host keys', () => {
  describe.each(backendFactories(() => tmp))('through the API on $name', ({ make }) => {
    let h: ApiHarness;
    let root: Caller;
    let truster: Caller;
    let viewer: Caller;

    const hostAt = (name: string, server: SshdServer, config: Record<string, unknown> = {}) =>
      h.project.hosts.add({
        name,
        hostname: server.host,
        port: server.port,
        user: server.user,
        config: {
          identityFiles: [first.clientKeyPath],
          agent: false,
          sshConfigFile: false,
          connectTimeoutMs: 5_000,
          ...config,
        },
      });

    /** Runs Hello on a host as root; its one session record's state and messages. */
    async function runOn(host: string): Promise<{ state: string; messages: string[] }> {
      const started = await root.post('/api/runs', {
        session: 'Hello',
        model: 'Host',
        ids: [host],
      });
      expect(started.statusCode, started.body).toBe(201);
      const runId = started.json<{ id: number }>().id;
      await runFinished(h.runtime.bus, runId, 30_000);
      const records = await root.get(`/api/session-records?run=${runId}`);
      const [item] = records.json<{ items: { id: number }[] }>().items;
      const record = await root.get(`/api/session-records/${item?.id ?? 0}`);
      const body = record.json<{ processState: string; messages: { text: string }[] }>();
      // Error messages are preformatted, wrapped at 120 columns: compared unwrapped.
      return {
        state: body.processState,
        messages: body.messages.map((m) => m.text.replaceAll('\n', '')),
      };
    }

    const keysOf = async (host: string) =>
      (await truster.get(`/api/host-keys?host=${host}`)).json<KeyRow[]>();
    const trust = (caller: Caller, host: string, fingerprint: string) =>
      caller.post(`/api/hosts/${host}/host-key/trust`, { fingerprint });

    beforeEach(async () => {
      h = await startApiHarness(make());
      await h.user('root', { superuser: true });
      await h.user('truster', { permissions: ['trust_host_key'] });
      await h.user('viewer', { permissions: ['view_host', 'change_host'] });
      root = await h.withToken('root');
      truster = await h.withToken('truster');
      viewer = await h.withToken('viewer');
    });
    afterEach(() => h.close());

    it('refuses an unknown key showing its fingerprint until someone trusts it', async () => {
      await hostAt('web', first);
      const refused = await runOn('web');
      expect(refused.state).toBe('failed');
      expect(refused.messages.join('\n')).toContain(
        `web: host key unknown (ssh-ed25519 ${first.hostKeyFingerprint} is not trusted yet; ` +
          "a user with trust_host_key can trust it: `minke hosts trust-key web` or the web admin's " +
          'Host keys page)',
      );
      expect(await keysOf('web')).toMatchObject([
        { host: 'web', fingerprint: first.hostKeyFingerprint, status: 'pending', trustedBy: null },
      ]);

      const denied = await trust(viewer, 'web', first.hostKeyFingerprint);
      expect(denied.statusCode).toBe(403);
      expect(denied.json()).toMatchObject({
        error: {
          message: 'only superusers may trust host keys (or hold the permission trust_host_key)',
        },
      });
      const notSeen = await trust(truster, 'web', second.hostKeyFingerprint);
      expect(notSeen.statusCode).toBe(400);
      expect(notSeen.json()).toMatchObject({
        error: {
          message: `host web has not offered ${second.hostKeyFingerprint}; pending: ${first.hostKeyFingerprint}`,
        },
      });
      expect((await runOn('web')).state).toBe('failed');

      const trusted = await trust(truster, 'web', first.hostKeyFingerprint);
      expect(trusted.statusCode, trusted.body).toBe(200);
      expect(trusted.json()).toMatchObject({ status: 'trusted', trustedBy: 'truster' });
      expect(await runOn('web')).toMatchObject({ state: 'completed' });
    });

    it('refuses a changed key with both fingerprints until it is replaced, keeping the old', async () => {
      await hostAt('db', first, { strictHostKeyChecking: 'accept-new' });
      expect((await runOn('db')).state).toBe('completed');
      expect(await keysOf('db')).toMatchObject([{ status: 'trusted', trustedBy: 'accept-new' }]);

      // The same host name now answers with another key.
      expect((await root.patch('/api/hosts/db', { port: second.port })).statusCode).toBe(200);
      const refused = await runOn('db');
      expect(refused.state).toBe('failed');
      expect(refused.messages.join('\n')).toContain(
        `db: host key mismatch (host key changed: trusted ssh-ed25519 ${first.hostKeyFingerprint}, ` +
          `presented ssh-ed25519 ${second.hostKeyFingerprint}; refused until a user with ` +
          "trust_host_key replaces it: `minke hosts trust-key db` or the web admin's Host keys page)",
      );
      // accept-new never accepts a changed key.
      expect((await runOn('db')).state).toBe('failed');
      expect((await trust(viewer, 'db', second.hostKeyFingerprint)).statusCode).toBe(403);

      expect((await trust(truster, 'db', second.hostKeyFingerprint)).statusCode).toBe(200);
      expect((await runOn('db')).state).toBe('completed');
      const keys = await keysOf('db');
      expect(keys.map((k) => [k.fingerprint, k.status, k.trustedBy])).toEqual([
        [second.hostKeyFingerprint, 'trusted', 'truster'],
        [first.hostKeyFingerprint, 'replaced', 'accept-new'],
      ]);
    });

    it('reads known_hosts files only when an administrator names them, importing the key', async () => {
      await hostAt('filed', first, { knownHostsFiles: [first.knownHostsFile] });
      expect((await runOn('filed')).state).toBe('completed');
      expect(await keysOf('filed')).toMatchObject([
        { status: 'trusted', trustedBy: `known_hosts ${first.knownHostsFile}:1` },
      ]);
      // A file that contradicts the key still refuses it.
      const contradicting = join(tmp, `known_hosts_${second.port}`);
      const [, type, key] = first.knownHostsLine.split(' ');
      await writeFile(contradicting, `[${second.host}]:${second.port} ${type} ${key}\n`);
      await hostAt('contradicted', second, { knownHostsFiles: [contradicting] });
      expect((await runOn('contradicted')).messages.join('\n')).toMatch(/host key mismatch/);
    });

    it('lists keys to users who may view hosts or trust keys only', async () => {
      await h.user('nobody', { permissions: ['run_hello'] });
      const nobody = await h.withToken('nobody');
      expect((await viewer.get('/api/host-keys')).statusCode).toBe(200);
      const denied = await nobody.get('/api/host-keys');
      expect(denied.statusCode).toBe(403);
      expect(denied.json()).toMatchObject({
        error: { message: 'you may not list host keys: it needs view_host or trust_host_key' },
      });
    });
  });
});
