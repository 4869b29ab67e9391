import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { namesShowing, openFleetList, prepareDiskUsageRun, startAndFollow } from './fleet-run.js';
import { expand } from './helpers.js';
import { repoRoot, startServer, type MinkeServer } from './harness.js';
import { startBrowserTest } from './harness-browser.js';

const FLEET = 600;

// What the page shows while it follows a big run. How fast it does so (the longest stall of the
// main thread, the time to follow 600 and 1,000 rows) is a figure of `npm run bench -- ui`,
// never a threshold here: it depends on the machine and its load.
describe('a run on 600 hosts', () => {
  let server: MinkeServer;
  let page: Page;

  beforeAll(async () => {
    const test = await startBrowserTest({
      start: () => startServer({ fleet: FLEET }),
      timeoutMs: 30_000,
    });
    ({ server, page } = test);
    return test.stop;
  });

  it('follows 600 rows live: every row turns green, nothing is lost, output is readable', async () => {
    await openFleetList(page, server.url, FLEET);
    await prepareDiskUsageRun(page, FLEET);
    await startAndFollow(page, FLEET);
    await expect(page.getByTestId('count-success').textContent()).resolves.toBe(`success ${FLEET}`);
    await expect(page.getByTestId('count-error').textContent()).resolves.toBe('error 0');
    await expect(page.getByTestId('count-waiting').textContent()).resolves.toBe('waiting 0');
    // every row, scrolled through as a user would, coloured by its result
    const names = Array.from({ length: FLEET }, (_, i) => `zz-fleet-${String(i).padStart(3, '0')}`);
    expect(await namesShowing(page, 'success')).toEqual(names);
    // the last and the first host's output, under their rows: df's table and the command's end
    for (const name of [names.at(-1) as string, names[0] as string]) {
      if (name === names[0]) await page.evaluate(() => window.scrollTo(0, 0));
      const shown = await expand(page, name);
      const line = (text: RegExp) =>
        shown.getByTestId('output-view').locator('.minke-output-line', { hasText: text }).first();
      await line(/^\$ df -h /).waitFor();
      await line(/^Filesystem +Size +Used/).waitFor();
      await line(/^\[exit 0, success, /).waitFor();
    }
    // a long list renders the rows in view, not all of them
    expect(await page.locator('tbody tr.RaDatagrid-row').count()).toBeLessThan(FLEET / 4);
  });

  it('shows the run’s page a hundred sessions at a time, filtered by outcome', async () => {
    await page.goto(`${server.url}/#/runs`);
    await page.locator('tbody tr').first().locator('td').first().click();
    const runPage = page.getByTestId('run-page');
    const pages = runPage.getByTestId('run-sessions-pages');
    // The server sends a page at a time: each step waits for the page it asked for.
    await pages.getByText(`1–100 of ${FLEET}`).waitFor();
    const rows = runPage.locator('tbody tr');
    expect(await rows.count()).toBe(100);
    await expect(rows.first().textContent()).resolves.toContain('zz-fleet-000');
    await pages.getByRole('button', { name: 'Go to next page' }).click();
    await pages.getByText(`101–200 of ${FLEET}`).waitFor();
    await expect(rows.first().textContent()).resolves.toContain('zz-fleet-100');
    expect(await rows.count()).toBe(100);
    await page.screenshot({ path: join(repoRoot, 'docs/screenshots/run-page-600.png') });
    // every session succeeded: the success filter keeps them all, and no error filter is offered
    await expect(runPage.locator('[data-filter="success"]').textContent()).resolves.toBe(
      `success ${FLEET}`,
    );
    expect(await runPage.locator('[data-filter="error"]').count()).toBe(0);
    const successOnly = page.waitForResponse((r) => r.url().includes('show=success'));
    await runPage.locator('[data-filter="success"]').click();
    expect(new URL((await successOnly).url()).searchParams.get('offset')).toBe('0');
    await pages.getByText(`1–100 of ${FLEET}`).waitFor();
    expect(await runPage.locator('tbody tr[data-outcome="success"]').count()).toBe(100);
  });
});
