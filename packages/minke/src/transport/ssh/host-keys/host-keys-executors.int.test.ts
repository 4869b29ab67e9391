import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresBackend } from '../../../../test-support/databases.js';
import { executorsUnderTest } from '../../../../test-support/queue-executors.js';
import { runFinished } from '../../../../test-support/run-waiter.js';
import {
  startSshd,
  sshdUnavailableReason,
  type SshdServer,
} from '../../../../test-support/sshd.js';
import { startRun } from '../../../operations/start-run.js';
import { SessionHistory } from '../../../runs/history.js';
import { SingleCommandSession } from '../../../session/builtin-sessions.js';
import { HostKeyStore } from '../../../hosts/host-key-store.js';

class Hello extends SingleCommandSession {
  static override workOn = ['Host'];
  static override command = 'echo hello over ssh';
}

/**
 * The host key book is the database's, so a key trusted through one process is trusted by every
 * executor: the in-process one and BullMQ workers (on Redis and on PostgreSQL queues) alike.
 */
let sshd: SshdServer;
beforeAll(async () => {
  sshd = await startSshd();
}, 60_000);
afterAll(() => sshd.stop());

describe.skipIf(sshdUnavailableReason()).each(executorsUnderTest('postgres'))(
  'host keys on the $name executor',
  (executor) => {
    it('refuses the unknown key, filed as pending, and runs once it is trusted', async () => {
      const backend = postgresBackend();
      const project = await backend.open([], {}, [Hello]);
      const started = await executor.start(project);
      try {
        const host = await project.hosts.add({
          name: 'bq',
          hostname: sshd.host,
          port: sshd.port,
          user: sshd.user,
          config: { identityFiles: [sshd.clientKeyPath], agent: false, sshConfigFile: false },
        });
        const history = new SessionHistory(project.database);
        const run = async () => {
          const { runId } = await startRun(started.runtime, {
            session: 'Hello',
            model: 'Host',
            ids: [host.id],
          });
          await runFinished(started.runtime.bus, runId, 30_000);
          const [item] = (await history.list({ runId })).items;
          return history.get(item?.id ?? 0);
        };

        const refused = await run();
        expect(refused.processState).toBe('failed');
        expect(refused.messages[0]?.text.replaceAll('\n', '')).toContain(
          `bq: host key unknown (ssh-ed25519 ${sshd.hostKeyFingerprint} is not trusted yet`,
        );
        const keys = new HostKeyStore(project.database);
        expect(await keys.list('bq')).toMatchObject([{ status: 'pending' }]);

        await keys.trust('bq', sshd.hostKeyFingerprint, 'tester');
        const ran = await run();
        expect(ran.processState).toBe('completed');
        expect(ran.commands[0]?.stdout).toBe('hello over ssh\n');
      } finally {
        await started.cleanup();
        await project.close();
        await backend.cleanup();
      }
    });
  },
);
