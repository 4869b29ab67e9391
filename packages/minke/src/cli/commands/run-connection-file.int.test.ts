import { chmodSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtMinke, writeProject } from '../../../test-support/project-folder.js';
import { type SshdServer, sshdUnavailableReason, startSshd } from '../../../test-support/sshd.js';
import { passwordTestUser, sudoUnavailableReason } from '../../../test-support/sudo-user.js';

const unavailable = sshdUnavailableReason() ?? sudoUnavailableReason();
if (unavailable) process.stderr.write(`--connection-file tests skipped: ${unavailable}\n`);

// The built CLI over dist/: rebuild (npx tsc -b packages/minke) before running this file.
describe.skipIf(unavailable !== undefined)(
  'minke run --connection-file (built CLI, real sshd)',
  () => {
    const tmp = mkdtempSync(join(tmpdir(), 'minke-conn-file-'));
    const dir = join(tmp, 'p');
    const secretFile = join(tmp, 'sudo.yaml');
    const account = passwordTestUser();
    const password = typeof account === 'string' ? '' : account.password;
    let sshd: SshdServer;
    const minke = (...args: string[]) => builtMinke(dir, args);

    beforeAll(async () => {
      if (typeof account === 'string') throw new Error(account);
      sshd = await startSshd();
      writeProject(dir, {
        config: "database: 'sqlite:data.db', sessions: [WhoAmI]",
        sessions: `import { Session } from 'minke';
export class WhoAmI extends Session {
  static override workOn = ['Host'];
  override async process() {
    await this.c.sudo('id -un');
  }
}
`,
        sessionNames: ['WhoAmI'],
      });
      expect((await minke('migrate')).code).toBe(0);
      const config = JSON.stringify({
        identityFiles: [sshd.clientKeyPath],
        agent: false,
        knownHostsFiles: [sshd.knownHostsFile],
        strictHostKeyChecking: 'yes',
      });
      const added = await minke(
        ...['hosts', 'add', 'box', '--hostname', sshd.host, '--port', String(sshd.port)],
        ...['--user', account.user, '--config', config],
      );
      expect(added.stderr).toBe('');
      writeFileSync(secretFile, `sudo:\n  password: ${JSON.stringify(password)}\n`, {
        mode: 0o600,
      });
    }, 120_000);
    afterAll(async () => {
      await sshd?.stop();
      rmSync(tmp, { recursive: true, force: true });
    });

    it('sudoes with the password from the file; it is in no file of the project', async () => {
      const run = await minke('run', 'WhoAmI', '--id', 'box', '--connection-file', secretFile);
      expect(run.code).toBe(0);
      expect(run.stdout).toContain('SUCCESS box');
      expect(run.stdout + run.stderr).not.toContain(password);
      for (const name of readdirSync(dir))
        if (name.startsWith('data.db'))
          expect(readFileSync(join(dir, name)).includes(password)).toBe(false);
    }, 120_000);

    it("re-runs with the values given again, checked as a run's", async () => {
      const first = await minke(
        ...['run', 'WhoAmI', '--id', 'box', '--connection-file', secretFile, '--json'],
      );
      const { runId } = JSON.parse(first.stdout) as { runId: number };
      const again = await minke('runs', 'rerun', String(runId), '--connection-file', secretFile);
      expect(again.stdout).toMatch(/^SUCCESS box/m);
      expect(again.code).toBe(0);
      expect(again.stdout + again.stderr).not.toContain(password);
      // They reach the re-run's start: a bad layer is refused there, naming the field only.
      const bad = join(tmp, 'bad.yaml');
      writeFileSync(bad, 'sudo:\n  password: 12345678\n  bogus: x\n', { mode: 0o600 });
      const refused = await minke('runs', 'rerun', String(runId), '--connection-file', bad);
      expect(refused.code).toBe(2);
      expect(refused.stderr).toContain('connection.sudo');
      expect(refused.stderr).not.toContain('12345678');
    }, 120_000);

    it('refuses a file others may read, naming it and the fix', async () => {
      chmodSync(secretFile, 0o644);
      const run = await minke('run', 'WhoAmI', '--id', 'box', '--connection-file', secretFile);
      expect(run).toMatchObject({
        code: 2,
        stderr: `minke: error: --connection-file ${secretFile}: readable by others (mode 644); chmod 600 ${secretFile}\n`,
      });
      chmodSync(secretFile, 0o600);
    }, 60_000);
  },
);
