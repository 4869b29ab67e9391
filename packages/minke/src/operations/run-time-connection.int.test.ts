import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { backendFactories } from '../../test-support/databases.js';
import { runFinished } from '../../test-support/run-waiter.js';
import { type SshdServer, sshdUnavailableReason, startSshd } from '../../test-support/sshd.js';
import { passwordTestUser, sudoUnavailableReason } from '../../test-support/sudo-user.js';
import { PermissionDenied } from '../errors.js';
import type { OpenedProject } from '../runtime/open-project.js';
import { createRuntime, type Runtime } from '../runtime/runtime.js';
import { SessionHistory } from '../runs/history.js';
import { Session } from '../session/session.js';
import { startRun } from './start-run.js';

const sudoForm = z.object({
  note: z.string().optional(),
  password: z.string().min(1).meta({ connection: 'sudo.password', secret: true }),
});

/** Asks the sudo password in its form: a run-time connection value, never stored. */
class SudoWhoami extends Session<typeof sudoForm> {
  static override workOn = ['Host'];
  static override form = sudoForm;
  override async process() {
    await this.c.sudo('id -un');
  }
}

const unavailable = sshdUnavailableReason() ?? sudoUnavailableReason();
if (unavailable) process.stderr.write(`run-time connection tests skipped: ${unavailable}\n`);
const tmp = mkdtempSync(join(tmpdir(), 'minke-runtime-conn-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe.skipIf(unavailable !== undefined).each(backendFactories(() => tmp))(
  'run-time connection values on $name (in-process executor, real sshd)',
  ({ make }) => {
    const account = passwordTestUser();
    const password = typeof account === 'string' ? '' : account.password;
    const backend = make();
    let sshd: SshdServer;
    let project: OpenedProject;
    let runtime: Runtime;

    beforeAll(async () => {
      if (typeof account === 'string') throw new Error(account);
      sshd = await startSshd();
      project = await backend.open([], {}, [SudoWhoami]);
      runtime = createRuntime(project, { quiet: true });
      await project.hosts.add({
        name: 'box',
        hostname: sshd.host,
        port: sshd.port,
        user: account.user,
        config: {
          identityFiles: [sshd.clientKeyPath],
          agent: false,
          knownHostsFiles: [sshd.knownHostsFile],
          strictHostKeyChecking: 'yes',
        },
      });
    });
    afterAll(async () => {
      await runtime?.close();
      await project?.close();
      await backend.cleanup();
      await sshd?.stop();
    });

    /** Every table of the project's database, as text. */
    async function everything(): Promise<string> {
      const { db, schema } = project.database;
      const tables = (await db.introspection.getTables()).filter(
        (t) => schema === undefined || t.schema === schema,
      );
      const dumps: string[] = [];
      for (const table of tables) {
        const rows = await db
          .withSchema(table.schema ?? 'main')
          .selectFrom(table.name)
          .selectAll()
          .execute();
        dumps.push(`${table.name}: ${JSON.stringify(rows)}`);
      }
      expect(dumps.join('\n')).toContain('minke_session_records');
      return dumps.join('\n');
    }

    it('sudoes with the password the form asked, and keeps it nowhere', async () => {
      const started = await startRun(runtime, {
        session: 'SudoWhoami',
        ids: ['box'],
        data: { note: 'weekly', password },
      });
      const events = await runFinished(runtime.bus, started.runId);
      const record = await new SessionHistory(project.database).get(
        started.records[0]?.recordId as number,
      );
      expect(record).toMatchObject({ processState: 'completed', result: 'success' });
      expect(JSON.stringify(record)).toContain('root');
      // The form's other values are kept; the connection value is not, anywhere.
      expect(JSON.stringify(record)).toContain('weekly');
      expect(JSON.stringify(events)).not.toContain(password);
      expect(JSON.stringify(record)).not.toContain(password);
      expect(await everything()).not.toContain(password);
    });

    it('refuses a guarded setting at run time from a user without manage_connections', async () => {
      const ann = await project.users.create({ username: 'ann', password: 'pw-ann-123456' });
      await project.permissions.grant(ann.id, ['run_sudo_whoami', 'view_host']);
      const user = await project.permissions.runUser(ann);
      for (const [connection, field] of [
        [{ transport: 'local' }, 'transport'],
        [{ sudo: { password: { file: '/etc/shadow' } } }, 'sudo.password.file'],
      ] as const) {
        const refused = startRun(runtime, {
          session: 'SudoWhoami',
          ids: ['box'],
          data: { password: 'x' },
          connection,
          user,
        });
        await expect(refused).rejects.toBeInstanceOf(PermissionDenied);
        await expect(refused).rejects.toThrow(
          `run-time connection field ${field} needs the manage_connections permission`,
        );
      }
    });
  },
);
