import type { Browser, Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { row } from './helpers.js';
import { ADMIN, VIEWER, type MinkeServer } from './harness.js';
import { openPage, startBrowserTest } from './harness-browser.js';

describe('admin pages in Chromium: host groups, users, own password', () => {
  let server: MinkeServer;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    const test = await startBrowserTest({ pageErrors });
    ({ server, browser, page } = test);
    return test.stop;
  });

  it('edits a host group: comment and members, then lists the new count', async () => {
    await page.goto(`${server.url}/#/host-groups`);
    await row(page, 'web').click();
    await page.locator('input[name="comment"]').fill('Front ends');
    const members = page.getByRole('combobox', { name: 'Hosts' });
    await members.click();
    await members.fill('localhost');
    await page.getByRole('option', { name: 'localhost', exact: true }).click();
    await page.keyboard.press('Escape'); // closes the options, which would take the next click
    await page.getByRole('button', { name: 'Save' }).click();
    const web = row(page, 'web');
    await web.getByText('Front ends').waitFor();
    expect(await web.locator('td').nth(1).textContent()).toBe('3');
  });

  it('removes a host group after a confirmation', async () => {
    await page.goto(`${server.url}/#/host-groups`);
    await row(page, 'databases').click();
    await page.getByRole('button', { name: 'Delete' }).click();
    await page.getByText('Its hosts stay').waitFor();
    await page.getByRole('button', { name: 'Confirm' }).click();
    await row(page, 'web').waitFor();
    await expect.poll(() => row(page, 'databases').count(), { timeout: 10_000 }).toBe(0);
  });

  it('lets a user change their own password from the user menu', async () => {
    const p = await openPage(browser, server.url, { user: VIEWER });
    await p.getByRole('button', { name: 'Profile' }).click();
    await p.getByRole('menuitem', { name: 'Change password' }).click();
    const form = p.getByTestId('change-password-form');
    await form.locator('input[name="currentPassword"]').fill('not my password');
    await form.locator('input[name="newPassword"]').fill('a new viewer password');
    await form.locator('input[name="confirm"]').fill('a new viewer password');
    await form.getByRole('button', { name: 'Change password' }).click();
    await form.getByText('the current password is wrong').first().waitFor();

    await form.locator('input[name="currentPassword"]').fill(VIEWER.password);
    await form.getByRole('button', { name: 'Change password' }).click();
    await p.getByText('Password changed; your other sessions are logged out').waitFor();
    // Still logged in here, and the new password is the one that works.
    await p.goto(`${server.url}/#/`);
    await p.getByTestId('dash-hosts').waitFor();
    await p.context().close();

    const q = await openPage(browser, server.url, {
      user: { username: VIEWER.username, password: 'a new viewer password' },
    });
    await q.context().close();
  });

  it('deletes another user after a confirmation, but offers no delete on your own account', async () => {
    await page.goto(`${server.url}/#/users`);
    await row(page, ADMIN.username).click();
    await page.locator('input[name="username"]').waitFor();
    expect(await page.getByRole('button', { name: 'Delete' }).count()).toBe(0);

    await page.goto(`${server.url}/#/users`);
    await row(page, VIEWER.username).click();
    await page.getByRole('button', { name: 'Delete' }).click();
    await page.getByText('their runs stay in the history').waitFor();
    await page.getByRole('button', { name: 'Confirm' }).click();
    await row(page, ADMIN.username).waitFor();
    await expect.poll(() => row(page, VIEWER.username).count(), { timeout: 10_000 }).toBe(0);
    expect(pageErrors).toEqual([]);
  });
});
