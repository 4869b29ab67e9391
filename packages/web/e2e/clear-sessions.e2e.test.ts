import type { Browser, Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { chooseSession, live, row, selectRows } from './helpers.js';
import { VIEWER, type MinkeServer } from './harness.js';
import { openPage, startBrowserTest } from './harness-browser.js';

describe("Clear on a model list (Chromium): the user's current session only", () => {
  let server: MinkeServer;
  let browser: Browser;
  let admin: Page;
  const pageErrors: string[] = [];

  /** The result badge of the row's session from the server (after a reload), if any. */
  const shownResult = (page: Page, name: string) => row(page, name).locator('.minke-result');

  beforeAll(async () => {
    const test = await startBrowserTest({ pageErrors });
    ({ server, browser, page: admin } = test);
    return test.stop;
  });

  it('drops the current session from my list, not from another user’s, and keeps the history', async () => {
    // The viewer runs on local-a first; the admin's run there is newer.
    const viewer = await openPage(browser, server.url, { user: VIEWER, pageErrors });
    await viewer.goto(`${server.url}/#/Host`);
    await selectRows(viewer, ['local-a']);
    await chooseSession(viewer, 'HealthCheck');
    await viewer.getByTestId('run-start').click();
    await live(viewer, 'local-a').and(viewer.locator('[data-live-state="completed"]')).waitFor({
      timeout: 30_000,
    });

    await admin.goto(`${server.url}/#/Host`);
    await selectRows(admin, ['local-a', 'local-b']);
    await chooseSession(admin, 'HealthCheck');
    await admin.getByTestId('run-start').click();
    for (const name of ['local-a', 'local-b'])
      await live(admin, name).and(admin.locator('[data-live-state="completed"]')).waitFor({
        timeout: 30_000,
      });

    await selectRows(admin, ['local-a']);
    await admin.getByTestId('clear-sessions').click();
    await admin.getByText('Cleared the current session of 1 object').waitFor();
    // At once, and after a reload (the server forgot it for this user): local-a shows nothing.
    await live(admin, 'local-a').waitFor({ state: 'detached' });
    await admin.reload();
    await shownResult(admin, 'local-b').waitFor();
    expect(await shownResult(admin, 'local-a').count()).toBe(0);

    // The viewer still sees their own run on local-a as current, not the admin's newer one.
    await viewer.reload();
    await shownResult(viewer, 'local-a').waitFor();
    const viewerCurrent = await viewer.evaluate(async () => {
      const reply = await fetch('/api/records/Host?where=name%20%3D%20local-a');
      const page = (await reply.json()) as { items: { _lastSession: { id: number } | null }[] };
      return page.items[0]?._lastSession?.id ?? null;
    });
    const adminHistory = await admin.evaluate(async () => {
      const reply = await fetch('/api/session-records?object=local-a');
      return ((await reply.json()) as { items: { id: number; user?: unknown }[] }).items.map(
        (i) => i.id,
      );
    });
    // The history keeps both runs on local-a; the viewer's current one is the older, theirs.
    expect(adminHistory).toHaveLength(2);
    expect(viewerCurrent).toBe(Math.min(...adminHistory));
    expect(pageErrors).toEqual([]);
  });
});
