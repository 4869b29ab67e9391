import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiHarness, type ApiHarness } from '../../../test-support/api-harness.js';
import { sqliteBackend } from '../../../test-support/databases.js';
import { builtMinke, writeProject } from '../../../test-support/project-folder.js';
import { runBuiltCli } from '../../../test-support/run-cli.js';
import { runFinished } from '../../../test-support/run-waiter.js';
import { startRun } from '../../operations/start-run.js';
import { startSshd, sshdUnavailableReason, type SshdServer } from '../../../test-support/sshd.js';

/**
 * `minke hosts keys` and `minke hosts trust-key` through the built CLI on a project folder: an
 * unknown key fails the run showing its fingerprint, trust-key without the fingerprint shows it
 * and trusts nothing, with it the next run succeeds.
 */
const tmp = mkdtempSync(join(tmpdir(), 'minke-host-keys-cli-'));
const dir = join(tmp, 'p');
let sshd: SshdServer;
const minke = (...args: string[]) => builtMinke(dir, args);

describe.skipIf(sshdUnavailableReason())('minke hosts keys / trust-key', () => {
  beforeAll(async () => {
    sshd = await startSshd();
    writeProject(dir, {
      config: "database: 'sqlite:data.db', sessions: [Hello]",
      sessions: `import { SingleCommandSession } from 'minke';
export class Hello extends SingleCommandSession {
  static override workOn = ['Host'];
  static override command = 'echo hello from ssh';
}
`,
      sessionNames: ['Hello'],
    });
    const config = JSON.stringify({
      identityFiles: [sshd.clientKeyPath],
      agent: false,
      sshConfigFile: false,
      connectTimeoutMs: 5_000,
    });
    for (const args of [
      ['migrate'],
      [
        'hosts',
        'add',
        'web',
        '--hostname',
        sshd.host,
        '--port',
        String(sshd.port),
        '--user',
        sshd.user,
        '--config',
        config,
      ],
    ]) {
      const result = await minke(...args);
      expect(result.code, result.stderr).toBe(0);
    }
  }, 120_000);
  afterAll(async () => {
    await sshd.stop();
    rmSync(tmp, { recursive: true, force: true });
  });

  it('shows the unknown key, refuses to trust without its fingerprint, then trusts it', async () => {
    const refused = await minke('run', 'Hello', '--id', 'web');
    expect(refused.code).not.toBe(0);
    expect(refused.stdout + refused.stderr).toContain(sshd.hostKeyFingerprint);

    const listed = await minke('hosts', 'keys', 'web');
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout).toMatch(
      new RegExp(`web\\s+pending\\s+ssh-ed25519\\s+${escape(sshd.hostKeyFingerprint)}`),
    );

    const blind = await minke('hosts', 'trust-key', 'web');
    expect(blind.code).toBe(2);
    expect(blind.stderr).toContain(
      `then trust it with --fingerprint: ssh-ed25519 ${sshd.hostKeyFingerprint}`,
    );
    const wrong = await minke(
      'hosts',
      'trust-key',
      'web',
      '--fingerprint',
      'SHA256:' + 'A'.repeat(43),
    );
    expect(wrong.code).not.toBe(0);
    expect(wrong.stderr).toContain(
      `host web has not offered SHA256:${'A'.repeat(43)}; pending: ${sshd.hostKeyFingerprint}`,
    );

    const trusted = await minke(
      'hosts',
      'trust-key',
      'web',
      '--fingerprint',
      sshd.hostKeyFingerprint,
    );
    expect(trusted.code, trusted.stderr).toBe(0);
    expect(trusted.stdout).toBe(`trusted ssh-ed25519 ${sshd.hostKeyFingerprint} for host web\n`);
    const json = await minke('hosts', 'keys', '--json');
    expect(JSON.parse(json.stdout)).toMatchObject([
      { host: 'web', status: 'trusted', trustedBy: expect.stringMatching(/^cli:/) as unknown },
    ]);

    const ran = await minke('run', 'Hello', '--id', 'web');
    expect(ran.code, ran.stdout + ran.stderr).toBe(0);
    expect(ran.stdout).toContain('hello from ssh');
  });
});

describe.skipIf(sshdUnavailableReason())('minke --server … hosts trust-key', () => {
  let h: ApiHarness;
  let url: string;
  // A folder without a project: with --server the CLI needs none.
  const away = mkdtempSync(join(tmpdir(), 'minke-host-keys-remote-'));
  const tokens: Record<string, string> = {};
  const asUser = (name: string, ...args: string[]) =>
    runBuiltCli(['--server', url, ...args], {
      cwd: away,
      env: { MINKE_TOKEN: tokens[name], MINKE_SERVER_URL: undefined, MINKE_PROJECT: undefined },
      timeoutMs: 60_000,
    });

  beforeAll(async () => {
    sshd = await startSshd();
    h = await startApiHarness(sqliteBackend());
    await h.user('plain', { permissions: ['view_host', 'change_host'] });
    await h.user('truster', { permissions: ['trust_host_key'] });
    for (const name of ['plain', 'truster']) tokens[name] = (await h.withToken(name)).token;
    const host = await h.project.hosts.add({
      name: 'far',
      hostname: sshd.host,
      port: sshd.port,
      user: sshd.user,
      config: { identityFiles: [sshd.clientKeyPath], agent: false, sshConfigFile: false },
    });
    const { runId } = await startRun(h.runtime, {
      session: 'Hello',
      model: 'Host',
      ids: [host.id],
    });
    await runFinished(h.runtime.bus, runId, 30_000);
    url = await h.app.listen({ host: '127.0.0.1', port: 0 });
  }, 120_000);
  afterAll(async () => {
    await h.close();
    await sshd.stop();
    rmSync(away, { recursive: true, force: true });
  });

  it("trusts with the token user's permission, and refuses a user without trust_host_key", async () => {
    const listed = await asUser('plain', 'hosts', 'keys', 'far');
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout).toMatch(/far\s+pending\s+ssh-ed25519/);

    const refused = await asUser(
      'plain',
      'hosts',
      'trust-key',
      'far',
      '--fingerprint',
      sshd.hostKeyFingerprint,
    );
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain(
      'only superusers may trust host keys (or hold the permission trust_host_key)',
    );
    const trusted = await asUser(
      'truster',
      'hosts',
      'trust-key',
      'far',
      '--fingerprint',
      sshd.hostKeyFingerprint,
    );
    expect(trusted.code, trusted.stderr).toBe(0);
    expect(
      await h.project.database.db
        .selectFrom('minke_host_keys')
        .select(['status', 'trusted_by'])
        .execute(),
    ).toEqual([{ status: 'trusted', trusted_by: 'truster' }]);
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
