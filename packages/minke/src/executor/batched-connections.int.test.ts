import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresBackend, sqliteBackend } from '../../test-support/databases.js';
import { runFinished } from '../../test-support/run-waiter.js';
import { randomHostKey } from '../../test-support/host-key-blobs.js';
import { startSshd, sshdUnavailableReason, type SshdServer } from '../../test-support/sshd.js';
import { HostKeyStore } from '../hosts/host-key-store.js';
import { startRun } from '../operations/start-run.js';
import { SessionHistory } from '../runs/history.js';
import { createRuntime } from '../runtime/runtime.js';
import { SingleCommandSession } from '../session/builtin-sessions.js';
import { hostKeyFromBlob } from '../transport/ssh/host-keys/host-key.js';

class Hello extends SingleCommandSession {
  static override workOn = ['Host'];
  static override command = 'echo hello';
}

/**
 * Hosts of one run connect together, and read their rows, groups' configs and trusted keys in
 * one statement of each kind (see BatchLoader): each host must still get its own, and a host
 * whose key changed is refused, whatever its neighbours in the batch.
 */
let sshd: SshdServer;
beforeAll(async () => {
  sshd = await startSshd();
}, 60_000);
afterAll(() => sshd.stop());

describe.skipIf(sshdUnavailableReason()).each([
  { name: 'sqlite', make: () => sqliteBackend() },
  { name: 'postgres', make: () => postgresBackend() },
])('connections read together ($name)', ({ make }) => {
  it('gives each host its own row, groups and keys, and refuses a changed key', async () => {
    const backend = make();
    const project = await backend.open([], {}, [Hello]);
    const runtime = createRuntime(project, { quiet: true });
    try {
      const address = `[${sshd.host}]:${sshd.port}`;
      const [keyType = '', keyBase64 = ''] = sshd.knownHostsLine.split(' ').slice(1);
      const realKey = hostKeyFromBlob(Buffer.from(keyBase64, 'base64'));
      expect(realKey.type).toBe(keyType);
      const book = new HostKeyStore(project.database).book();
      // Reaching the server needs the identity file and the user: given by a group to some hosts.
      const access = { identityFiles: [sshd.clientKeyPath], agent: false, sshConfigFile: false };
      await project.hosts.addGroup({ name: 'keyed', config: access });
      const names = ['own-1', 'own-2', 'grouped-1', 'grouped-2', 'changed'];
      for (const name of names) {
        const grouped = name.startsWith('grouped');
        await project.hosts.add({
          name,
          hostname: sshd.host,
          port: sshd.port,
          user: sshd.user,
          config: grouped ? { sshConfigFile: false } : access,
          ...(grouped ? { groups: ['keyed'] } : {}),
        });
        await book.trustFirst(
          name,
          address,
          name === 'changed' ? randomHostKey(keyType) : realKey,
          'tester',
        );
      }
      // A host in no group and with no identity file: its own config must not borrow a neighbour's.
      await project.hosts.add({
        name: 'no-key',
        hostname: sshd.host,
        port: sshd.port,
        user: sshd.user,
        config: { identityFiles: [], agent: false, sshConfigFile: false },
      });
      await book.trustFirst('no-key', address, realKey, 'tester');

      const { runId } = await startRun(runtime, { session: 'Hello', model: 'Host', all: true });
      await runFinished(runtime.bus, runId, 60_000);
      const history = new SessionHistory(project.database);
      const outcome = new Map<string, { state: string; text: string; stdout: string }>();
      for (const item of (await history.list({ runId, limit: 100 })).items) {
        const detail = await history.get(item.id);
        outcome.set(detail.hostName ?? '', {
          state: detail.processState,
          text: detail.messages.map((m) => m.text.replaceAll('\n', '')).join(' / '),
          stdout: detail.commands[0]?.stdout ?? '',
        });
      }
      for (const name of ['own-1', 'own-2', 'grouped-1', 'grouped-2'])
        expect(outcome.get(name), name).toMatchObject({ state: 'completed', stdout: 'hello\n' });
      expect(outcome.get('changed')?.state).toBe('failed');
      expect(outcome.get('changed')?.text).toContain('host key changed');
      expect(outcome.get('no-key')?.state).toBe('failed');
      expect(outcome.get('no-key')?.text).toMatch(/authentication/i);
      // The changed host's presented key is filed as pending; the trusted one stays.
      const keys = await new HostKeyStore(project.database).list('changed');
      expect(keys.map((k) => k.status).sort()).toEqual(['pending', 'trusted']);
    } finally {
      await runtime.close();
      await project.close();
      await backend.cleanup();
    }
  }, 120_000);
});
