import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtMinke, writeProject } from '../../../test-support/project-folder.js';
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

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
