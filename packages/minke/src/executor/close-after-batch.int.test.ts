import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sqliteBackend } from '../../test-support/databases.js';
import { runFinished } from '../../test-support/run-waiter.js';
import { startSshd, sshdUnavailableReason, type SshdServer } from '../../test-support/sshd.js';
import { startRun } from '../operations/start-run.js';
import { SessionHistory } from '../runs/history.js';
import { createRuntime } from '../runtime/runtime.js';
import { Session } from '../session/session.js';

/** Quick on `quick`, three seconds on `slow`: one run whose hosts finish apart. */
class Apart extends Session {
  static override workOn = ['Host'];
  override async process(): Promise<void> {
    await this.xrun(this.obj['name'] === 'slow' ? 'sleep 3' : 'true');
  }
}

/** Established TCP connections of this machine to `port` on loopback, from the client's side. */
function connectionsTo(port: number): number {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  return readFileSync('/proc/net/tcp', 'utf8')
    .split('\n')
    .slice(1)
    .map((line) => line.trim().split(/\s+/))
    .filter((fields) => fields[2]?.endsWith(`:${hexPort}`) && fields[3] === '01').length;
}

let sshd: SshdServer;
beforeAll(async () => {
  sshd = await startSshd();
}, 60_000);
afterAll(() => sshd.stop());

/**
 * A process that runs one run and exits (`minke run`) closes each host's connection when that
 * host is done, so the closes spread over the run; a server keeps them for the next run.
 */
describe.skipIf(sshdUnavailableReason())('connections after a host is done', () => {
  it.each([
    { keepConnections: false, openWhileSlowRuns: 1 },
    { keepConnections: true, openWhileSlowRuns: 2 },
  ])(
    'keepConnections $keepConnections: $openWhileSlowRuns open while the slow host runs',
    async ({ keepConnections, openWhileSlowRuns }) => {
      const backend = sqliteBackend();
      const project = await backend.open([], {}, [Apart]);
      const runtime = createRuntime(project, { quiet: true, keepConnections });
      try {
        const config = {
          identityFiles: [sshd.clientKeyPath],
          knownHostsFiles: [sshd.knownHostsFile],
          agent: false,
          sshConfigFile: false,
        };
        for (const name of ['quick', 'slow'])
          await project.hosts.add({
            name,
            hostname: sshd.host,
            port: sshd.port,
            user: sshd.user,
            config,
          });
        const { runId } = await startRun(runtime, { session: 'Apart', model: 'Host', all: true });
        const history = new SessionHistory(project.database);
        const states = async () =>
          new Map(
            (await history.list({ runId })).items.map((item) => [item.hostName, item.processState]),
          );
        // Until the quick host is done and its connection (if it goes) has gone: 2.5 s at most,
        // well within the slow host's 3 s.
        let open = -1;
        for (let tries = 0; tries < 50; tries++) {
          await new Promise((resolve) => setTimeout(resolve, 50));
          const now = await states();
          open = connectionsTo(sshd.port);
          if (now.get('quick') === 'completed' && open === openWhileSlowRuns) break;
        }
        expect((await states()).get('slow')).toBe('running');
        expect(open).toBe(openWhileSlowRuns);
        await runFinished(runtime.bus, runId, 30_000);
        expect([...(await states()).values()]).toEqual(['completed', 'completed']);
      } finally {
        await runtime.close();
        await project.close();
        await backend.cleanup();
      }
    },
    60_000,
  );
});
