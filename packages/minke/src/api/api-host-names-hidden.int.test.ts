import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readEvents } from '../../test-support/api-sse.js';
import { startApiHarness, type ApiHarness, type Caller } from '../../test-support/api-harness.js';
import { backendFactories } from '../../test-support/databases.js';
import { runFinished } from '../../test-support/run-waiter.js';
import { startSshd, sshdUnavailableReason, type SshdServer } from '../../test-support/sshd.js';

/**
 * Issue 10, item 4: a user who may run a session on services but not view hosts never learns the
 * host's name: not from run events (SSE), not from the history list or a record, not from the
 * connection error (here a host key nobody trusted yet, whose message names the host).
 */
let tmp: string;
let sshd: SshdServer;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'minke-hidden-hosts-'));
  sshd = await startSshd();
}, 60_000);
afterAll(async () => {
  await sshd.stop();
  await rm(tmp, { recursive: true, force: true });
});

const HOST = 'secret-db-7';

describe.skipIf(sshdUnavailableReason())('host names', () => {
  describe.each(backendFactories(() => tmp))('for users without view_host on $name', ({ make }) => {
    let h: ApiHarness;
    let base: string;
    let blind: Caller & { token: string };
    let seeing: Caller & { token: string };
    let serviceId: number;

    beforeAll(async () => {
      h = await startApiHarness(make());
      await h.user('blind', { permissions: ['view_service', 'run_hello'] });
      await h.user('seeing', { permissions: ['view_service', 'view_host', 'run_hello'] });
      blind = await h.withToken('blind');
      seeing = await h.withToken('seeing');
      const host = await h.project.hosts.add({
        name: HOST,
        hostname: sshd.host,
        port: sshd.port,
        user: sshd.user,
        config: { identityFiles: [sshd.clientKeyPath], agent: false, sshConfigFile: false },
      });
      serviceId = (await h.project.records.create('Service', { host: host.id, name: 'api' })).id;
      base = await h.app.listen({ host: '127.0.0.1', port: 0 });
    });
    afterAll(() => h.close());

    /** Starts Hello on the service as `caller`; the run's events as its SSE stream sends them. */
    async function run(caller: Caller & { token: string }) {
      const started = await caller.post('/api/runs', {
        session: 'Hello',
        model: 'Service',
        ids: [serviceId],
      });
      expect(started.statusCode, started.body).toBe(201);
      const runId = started.json<{ id: number }>().id;
      await runFinished(h.runtime.bus, runId, 30_000);
      const stream = await readEvents(`${base}/api/events?since=0`, {
        headers: { authorization: `Bearer ${caller.token}` },
        until: (event) => event.event === 'run.finished' && event.data.includes(`"runId":${runId}`),
      });
      const list = await caller.get(`/api/session-records?run=${runId}`);
      const [item] = list.json<{ items: { id: number }[] }>().items;
      const record = await caller.get(`/api/session-records/${item?.id ?? 0}`);
      const runDetail = await caller.get(`/api/runs/${runId}`);
      return {
        events: stream.events.map((e) => e.data).join('\n'),
        list: list.body,
        record: record.body,
        runDetail: runDetail.body,
      };
    }

    it('are left out of events, history and connection errors', async () => {
      const seen = await run(seeing);
      // What there is to hide: the name is in every answer for a user who may view hosts.
      for (const body of Object.values(seen)) expect(body).toContain(HOST);
      expect(seen.record).toContain(`${HOST}: host key unknown`);

      const hidden = await run(blind);
      for (const body of Object.values(hidden)) expect(body).not.toContain(HOST);
      expect(hidden.record).toContain('(hidden host): host key unknown (ssh-ed25519 SHA256:');
      expect(hidden.events).toContain('(hidden host): host key unknown');
      expect(hidden.list).toContain('"hostName":null');
    });

    it('refuses a history filter by host name, which would tell which names exist', async () => {
      const reply = await blind.get(`/api/session-records?object=${HOST}`);
      expect(reply.statusCode).toBe(403);
      expect(reply.json()).toMatchObject({
        error: { message: 'you may not filter by host: it needs the permission view_host' },
      });
      expect((await seeing.get(`/api/session-records?object=${HOST}`)).statusCode).toBe(200);
    });
  });
});
