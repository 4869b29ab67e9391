import type { Page } from 'playwright-core';

/**
 * The steps of following a big run, shared by the fleet browser test (which checks what the
 * page shows) and `npm run bench -- ui` (which times it): the hosts made by `fleetYaml`, all
 * on one list page, ticked, and the disk-usage session started on them.
 */

/** Opens the Host list filtered to the fleet, every host on one page, and waits for the list. */
export async function openFleetList(page: Page, url: string, count: number): Promise<void> {
  const filter = encodeURIComponent(JSON.stringify({ q: 'zz-fleet' }));
  await page.goto(`${url}/#/Host?filter=${filter}&perPage=1000&page=1`);
  // a long list renders the rows in view only; its body says how many it has
  await page.locator(`tbody[data-rows="${count}"] tr.RaDatagrid-row`).first().waitFor({
    timeout: 120_000,
  });
}

/**
 * Scrolls the list from top to bottom as a user would, half a screen at a time, and returns
 * the name of every row seen showing `result` (its colour). Leaves the list at the bottom.
 */
export async function namesShowing(page: Page, result: string): Promise<string[]> {
  // no named functions inside: a bench run through tsx would send its __name helper along
  return await page.evaluate(async (result) => {
    const body = document.querySelector('tbody[data-rows]');
    let box = body?.parentElement ?? null;
    while (
      box &&
      !(/auto|scroll/.test(getComputedStyle(box).overflowY) && box.scrollHeight > box.clientHeight)
    )
      box = box.parentElement;
    const scroller = box ?? document.scrollingElement ?? document.documentElement;
    const seen = new Set<string>();
    scroller.scrollTop = 0;
    const deadline = performance.now() + 120_000;
    for (let step = 0; step < 2000 && performance.now() < deadline; step++) {
      // the rows in view are rendered a frame or two after the scroll: wait for the middle one
      for (let i = 0; i < 63; i++) {
        const middle = document.elementFromPoint(window.innerWidth / 2, window.innerHeight / 2);
        if (i >= 60 || (i >= 3 && middle?.closest('tr.RaDatagrid-row'))) break;
        await new Promise((resolve) => requestAnimationFrame(resolve));
      }
      const cells = document.querySelectorAll(
        `tr.RaDatagrid-row[data-live-result="${result}"] td.column-name`,
      );
      for (const cell of cells) seen.add(cell.textContent ?? '');
      const before = scroller.scrollTop;
      scroller.scrollTop = before + window.innerHeight / 2;
      if (scroller.scrollTop === before) break;
    }
    return [...seen].sort();
  }, result);
}

/** Ticks every row and walks the run dialog up to its last step (the start button). */
export async function prepareDiskUsageRun(page: Page, count: number): Promise<void> {
  await page.locator('thead input[type="checkbox"]').check();
  await page.getByTestId('run-session').click();
  await page.locator('#session-picker').click();
  await page.locator('li[data-session="DiskUsage"]').click();
  // DiskUsage has no `confirm`: it starts from its form
  const label = await page.getByTestId('run-start').textContent();
  if (label !== `Run on ${count} objects`) throw new Error(`the start button reads "${label}"`);
}

/** Starts the run and waits until the progress bar counts every session done. */
export async function startAndFollow(page: Page, count: number): Promise<void> {
  await page.getByTestId('run-start').click();
  // a plain querySelector, polled: Playwright's own locators cost the page more to poll
  await page.waitForFunction(
    (done) => document.querySelector('[data-testid="count-done"]')?.textContent === done,
    `done ${count}`,
    { polling: 100, timeout: 300_000 },
  );
}
