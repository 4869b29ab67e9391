import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { chooseSession, live, selectRows } from './helpers.js';
import { ADMIN, VIEWER, type MinkeServer } from './harness.js';
import { startBrowserTest } from './harness-browser.js';

/**
 * Issue 11, item 6: the small admin lists refuse unknown query parameters, so what the web admin
 * sends them (paging, and `q` from its pickers) must be what they declare. Each page that reads
 * them loads, and no API call of theirs is refused.
 */
describe('small admin lists in the web admin (Chromium)', () => {
  let server: MinkeServer;
  let page: Page;
  const refused: string[] = [];

  beforeAll(async () => {
    const test = await startBrowserTest({
      watch: (p) =>
        p.on('response', (response) => {
          if (response.url().includes('/api/') && response.status() === 400)
            refused.push(`${response.url()} → 400`);
        }),
    });
    ({ server, page } = test);
    return test.stop;
  });

  it('lists users, user groups and host groups', async () => {
    for (const [route, api] of [
      ['users', '/api/users?'],
      ['user-groups', '/api/user-groups?'],
      ['host-groups', '/api/groups?'],
    ] as const) {
      const answered = page.waitForResponse((response) => response.url().includes(api));
      await page.goto(`${server.url}/#/${route}`);
      expect({ route, status: (await answered).status() }).toEqual({ route, status: 200 });
    }
    await page.locator('tbody tr').filter({ hasText: 'web' }).first().waitFor();
    expect(refused).toEqual([]);
  });

  it("finds a user by a part of the name in the history's user filter (q)", async () => {
    // the history shows its filters once it holds a session
    await page.goto(`${server.url}/#/Host`);
    await selectRows(page, ['local-a']);
    await chooseSession(page, 'HealthCheck');
    await page.getByTestId('run-start').click();
    await live(page, 'local-a')
      .and(page.locator('[data-live-state="completed"]'))
      .waitFor({ timeout: 30_000 });
    // the user filter shown, as "Add filter" → User leaves it
    const shown = encodeURIComponent(JSON.stringify({ user: true }));
    await page.goto(`${server.url}/#/session-records?displayedFilters=${shown}`);
    const answered = page.waitForResponse(
      (response) => response.url().includes('/api/users?') && response.url().includes('q=VIEW'),
    );
    await page.getByLabel('User').fill('VIEW');
    expect((await answered).status()).toBe(200);
    await page.getByRole('option', { name: VIEWER.username }).waitFor();
    expect(await page.getByRole('option', { name: ADMIN.username }).count()).toBe(0);
    expect(refused).toEqual([]);
  });
});
