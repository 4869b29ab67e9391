import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { row } from './helpers.js';
import { cli, createUser, type MinkeServer } from './harness.js';
import { startBrowserTest } from './harness-browser.js';

/** May add and change hosts, but holds no manage_connections (issue 10, item 1). */
const HOST_ADMIN = { username: 'host-admin', password: 'host-admin-e2e-password' };

describe('connection settings that use the Minke server, in the web admin (Chromium)', () => {
  let server: MinkeServer;
  let page: Page;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    const test = await startBrowserTest({
      prepare: async (started) => {
        await createUser(started.projectDir, HOST_ADMIN);
        await cli(started.projectDir, [
          'users',
          'grant',
          HOST_ADMIN.username,
          'view_host',
          'add_host',
          'change_host',
        ]);
      },
      user: HOST_ADMIN,
      pageErrors,
    });
    ({ server, page } = test);
    return test.stop;
  });

  async function addHostWithSecretFile(): Promise<void> {
    await page.goto(`${server.url}/#/Host/create`);
    await page.locator('input[name="name"]').fill('trap.example.com');
    await page.locator('input[name="hostname"]').fill('127.0.0.1');
    await page
      .locator('textarea[name="config"]')
      .fill('{ "password": { "file": "/etc/hostname" } }');
    await page.getByRole('button', { name: 'Save' }).click();
  }

  it('refuses a host whose password is a server file, naming the field; nothing is added', async () => {
    await addHostWithSecretFile();
    await page
      .getByText('host config field password.file needs the manage_connections permission')
      .first()
      .waitFor();
    await page.goto(`${server.url}/#/Host`);
    await row(page, 'localhost').waitFor();
    expect(await row(page, 'trap.example.com').count()).toBe(0);
  });

  it('accepts it once the user holds manage_connections', async () => {
    await cli(server.projectDir, ['users', 'grant', HOST_ADMIN.username, 'manage_connections']);
    await addHostWithSecretFile();
    await page.waitForURL(/#\/Host\/\d+\/show/, { timeout: 10_000 });
    await page.getByText('trap.example.com').first().waitFor();
    expect(pageErrors).toEqual([]);
  });
});
