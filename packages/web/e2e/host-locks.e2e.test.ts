import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Browser, Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { chooseSession, live, selectRows } from './helpers.js';
import { VIEWER, repoRoot, type MinkeServer } from './harness.js';
import { openPage, startBrowserTest } from './harness-browser.js';

const screenshots = join(repoRoot, 'docs/screenshots');

/**
 * Issue 11, item 10 in Chromium: the Host locks page lists the lease of a run still sleeping on
 * its host and a stale lease left by a dead worker; a superuser unlocks the stale one, and the
 * live one only through "Force unlock" and its warning. Anyone else sees neither menu nor data.
 */
describe('host locks in the web admin (Chromium)', () => {
  let server: MinkeServer;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];

  /** A lease as a crashed worker leaves it: never renewed again, expired two minutes ago. */
  function leaveStaleLease(projectDir: string): void {
    const database = new Database(join(projectDir, 'minke-e2e.db'));
    const host = database.prepare('SELECT id FROM minke_hosts WHERE name = ?').get('local-b') as {
      id: number;
    };
    const expired = new Date(Date.now() - 120_000).toISOString().replace('T', ' ').slice(0, 23);
    database
      .prepare(
        'INSERT INTO minke_host_leases (host_id, owner, run_id, expires_at) VALUES (?, ?, NULL, ?)',
      )
      .run(host.id, 'dead-worker:99', expired);
    database.close();
  }

  beforeAll(async () => {
    const test = await startBrowserTest({
      prepare: (started) => leaveStaleLease(started.projectDir),
      pageErrors,
    });
    ({ server, browser, page } = test);
    return test.stop;
  });

  const lease = (name: string) => page.getByTestId(`lease-${name}`);

  it('shows the lease of a running session and a stale one, with their run and state', async () => {
    await page.goto(`${server.url}/#/Host`);
    await selectRows(page, ['local-c']);
    await chooseSession(page, 'LongSleep');
    await page.getByTestId('run-start').click();
    await live(page, 'local-c').and(page.locator('[data-live-state="running"]')).waitFor();

    await page.getByRole('menuitem', { name: 'Host locks' }).click();
    await lease('local-c').waitFor();
    const held = lease('local-c');
    expect(await held.locator('td').nth(3).textContent()).toBe('LongSleep');
    expect(await held.getByText('held', { exact: true }).count()).toBe(1);
    const runLink = held.getByRole('link');
    expect(await runLink.getAttribute('href')).toMatch(/^#\/runs\/\d+\/show$/);
    await held.getByRole('button', { name: 'Force unlock' }).waitFor();

    const stale = lease('local-b');
    expect(await stale.locator('td').nth(1).textContent()).toBe('dead-worker:99');
    expect(await stale.getByText('expired', { exact: true }).count()).toBe(1);
    await stale.getByRole('button', { name: 'Unlock' }).waitFor();

    mkdirSync(screenshots, { recursive: true });
    await page.screenshot({ path: join(screenshots, 'host-locks.png') });
  });

  it('unlocks the stale lease after a confirmation: its row goes', async () => {
    await lease('local-b').getByRole('button', { name: 'Unlock' }).click();
    const dialog = page.getByRole('dialog');
    expect(await dialog.textContent()).toContain('dead-worker:99 stopped renewing the lease');
    await dialog.getByRole('button', { name: 'Unlock' }).click();
    await lease('local-b').waitFor({ state: 'detached' });
    await lease('local-c').waitFor();
  });

  it('force-unlocks a live lease only after warning that its run may still be working', async () => {
    await lease('local-c').getByRole('button', { name: 'Force unlock' }).click();
    const dialog = page.getByRole('dialog');
    const warning = (await dialog.textContent()) ?? '';
    expect(warning).toContain('This lease has not expired');
    expect(warning).toContain('may still be working on local-c');
    await page.screenshot({ path: join(screenshots, 'host-locks-force.png') });
    // Cancel keeps it.
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'detached' });
    await lease('local-c').waitFor();

    await lease('local-c').getByRole('button', { name: 'Force unlock' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Force unlock' }).click();
    await lease('local-c').waitFor({ state: 'detached' });
    await page.getByText('No host is locked.').waitFor();
    expect(pageErrors).toEqual([]);
  });

  it('shows a non-superuser no Host locks menu item, and the API answers 403', async () => {
    const viewer = await openPage(browser, server.url, { user: VIEWER });
    await viewer.getByRole('menuitem', { name: 'History' }).waitFor();
    expect(await viewer.getByRole('menuitem', { name: 'Host locks' }).count()).toBe(0);
    const reply = await viewer.evaluate(async () => {
      const response = await fetch('/api/hosts/leases');
      return { status: response.status, body: await response.text() };
    });
    expect(reply.status).toBe(403);
    expect(reply.body).toContain('see host leases');
    // The page itself, reached by its address, shows the API's refusal instead of a table.
    await viewer.goto(`${server.url}/#/host-locks`);
    await viewer.getByRole('alert').filter({ hasText: 'see host leases' }).waitFor();
    await viewer.context().close();
  });
});
