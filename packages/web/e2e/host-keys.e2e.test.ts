import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startSshd,
  sshdUnavailableReason,
  type SshdServer,
} from '../../minke/test-support/sshd.js';
import { chooseSession, clearRuns, expand, live, row } from './helpers.js';
import { ADMIN, cli, type MinkeServer } from './harness.js';
import { apiSend, startBrowserTest } from './harness-browser.js';

/**
 * Issue 10, item 3 in Chromium: a host behind a real OpenSSH server whose key nobody trusted.
 * The run fails showing the key's fingerprint; the Host keys page shows it with "Trust this
 * key"; once trusted, the same run succeeds.
 */
const HOST = 'keyed-e2e';

describe.skipIf(sshdUnavailableReason())('host key trust in the web admin (Chromium)', () => {
  let server: MinkeServer;
  let sshd: SshdServer;
  /** Another OpenSSH server with its own host key, admitting the same client key. */
  let other: SshdServer;
  let page: Page;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    sshd = await startSshd();
    other = await startSshd({ trustClientsOf: sshd });
    const test = await startBrowserTest({
      prepare: async (started) => {
        await cli(started.projectDir, [
          'hosts',
          'add',
          HOST,
          '--hostname',
          sshd.host,
          '--port',
          String(sshd.port),
          '--user',
          sshd.user,
          '--config',
          JSON.stringify({
            identityFiles: [sshd.clientKeyPath],
            agent: false,
            sshConfigFile: false,
            connectTimeoutMs: 5_000,
          }),
        ]);
      },
      pageErrors,
    });
    ({ server, page } = test);
    return test.stop;
  });

  afterAll(async () => {
    await sshd?.stop();
    await other?.stop();
  });

  async function runDiskUsage(): Promise<void> {
    await page.goto(`${server.url}/#/Host`);
    await clearRuns(page);
    await row(page, HOST).locator('input[type="checkbox"]').check();
    await chooseSession(page, 'DiskUsage', { path: '/' });
    await page.getByTestId('run-start').click();
  }

  it('fails the run showing the unknown key, which the Host keys page trusts', async () => {
    await runDiskUsage();
    await live(page, HOST)
      .and(page.locator('[data-live-state="failed"]'))
      .waitFor({ timeout: 30_000 });
    const messages = await expand(page, HOST);
    await messages.getByText('host key unknown', { exact: false }).first().waitFor();
    expect((await messages.textContent())?.replaceAll('\n', '')).toContain(
      `ssh-ed25519 ${sshd.hostKeyFingerprint} is not trusted yet`,
    );

    await page.goto(`${server.url}/#/host-keys`);
    const pending = page.getByTestId(`pending-key-${HOST}`);
    await pending.waitFor();
    expect(await pending.textContent()).toContain(`ssh-ed25519 ${sshd.hostKeyFingerprint}`);
    await pending.getByRole('button', { name: 'Trust this key' }).click();
    await pending.waitFor({ state: 'detached' });
    const trustedRow = page.locator('tbody tr').filter({ hasText: sshd.hostKeyFingerprint });
    await trustedRow.getByText('trusted', { exact: true }).waitFor();
    expect(await trustedRow.textContent()).toContain(ADMIN.username);
  });

  it('runs the session once the key is trusted', async () => {
    await runDiskUsage();
    await live(page, HOST)
      .and(page.locator('[data-live-result="success"]'))
      .waitFor({ timeout: 30_000 });
  });

  it('refuses a changed key, shown beside the trusted one, until it is replaced', async () => {
    // The same host name now answers with another key (a reinstall, or an impostor).
    await apiSend(page, 'PATCH', `/api/hosts/${HOST}`, { port: other.port });
    await runDiskUsage();
    await live(page, HOST)
      .and(page.locator('[data-live-state="failed"]'))
      .waitFor({ timeout: 30_000 });
    const messages = await expand(page, HOST);
    await messages.getByText('host key mismatch', { exact: false }).first().waitFor();

    await page.goto(`${server.url}/#/host-keys`);
    const changed = page.getByTestId(`pending-key-${HOST}`);
    await changed.waitFor();
    const text = (await changed.textContent()) ?? '';
    expect(text).toContain('its key changed');
    expect(text).toContain(`Trustedssh-ed25519 ${sshd.hostKeyFingerprint}`);
    expect(text).toContain(`Presentedssh-ed25519 ${other.hostKeyFingerprint}`);
    await changed.getByRole('button', { name: 'Replace with this key' }).click();
    await changed.waitFor({ state: 'detached' });
    await page
      .locator('tbody tr')
      .filter({ hasText: sshd.hostKeyFingerprint })
      .getByText('replaced', { exact: true })
      .waitFor();

    await runDiskUsage();
    await live(page, HOST)
      .and(page.locator('[data-live-result="success"]'))
      .waitFor({ timeout: 30_000 });
    expect(pageErrors).toEqual([]);
  });
});
