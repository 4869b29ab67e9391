import type { Locator, Page } from 'playwright-core';

/** The list row whose name cell reads exactly `name`. */
export function row(page: Page, name: string): Locator {
  return page
    .locator('tbody tr.RaDatagrid-row')
    .filter({ has: page.getByText(name, { exact: true }) });
}

/** The live session cell of a row (state and result as data attributes). */
export function live(page: Page, name: string): Locator {
  return row(page, name).locator('.minke-live');
}

/** The panel expanded under a row (messages and output). */
export function panel(page: Page, name: string): Locator {
  return row(page, name).locator('xpath=following-sibling::tr[1]').getByTestId('row-panel');
}

/** Opens the panel under a row (a click on a row with a session expands it), unless open. */
export async function expand(page: Page, name: string): Promise<Locator> {
  const shown = panel(page, name);
  if ((await shown.count()) === 0) await row(page, name).locator('td').nth(3).click();
  await shown.waitFor();
  return shown;
}

/** Forgets the runs shown on the list, if any (the progress bar's Clear). */
export async function clearRuns(page: Page): Promise<void> {
  const clear = page.getByTestId('clear-runs');
  if ((await clear.count()) > 0) await clear.click();
}

export async function selectRows(page: Page, names: readonly string[]): Promise<void> {
  for (const name of names) await row(page, name).locator('input[type="checkbox"]').check();
}

/**
 * Opens the run dialog, picks a session, fills its form and, for a `confirm` session, goes to
 * the confirm step: then `run-start` starts the run.
 */
export async function chooseSession(
  page: Page,
  session: string,
  form: Record<string, string> = {},
  passwords: { ssh?: string; sudo?: string } = {},
): Promise<void> {
  await page.getByTestId('run-session').click();
  await page.locator('#session-picker').click();
  const option = page.locator(`li[data-session="${session}"]`);
  const menu = page.locator('[role="listbox"]', { has: option });
  // On a loaded machine a click during the menu's opening transition can be lost, leaving the
  // menu open over the dialog: pick again until it closes (bounded).
  for (let attempt = 0; attempt < 3; attempt++) {
    if (attempt === 0 || (await menu.isVisible())) await option.click();
    if (
      await menu.waitFor({ state: 'hidden', timeout: 5_000 }).then(
        () => true,
        () => false,
      )
    )
      break;
  }
  for (const [name, value] of Object.entries(form)) {
    await page.locator(`[data-testid="session-form"] [name="${name}"]`).fill(value);
  }
  if (Object.keys(passwords).length > 0) {
    const section = page.getByTestId('run-passwords');
    await section.getByText('Passwords for this run').click();
    for (const [which, value] of Object.entries(passwords))
      await section.locator(`input[name="run-${which}-password"]`).fill(value);
  }
  // a session marked `confirm` has a confirm step; any other starts from its form
  const start = page.getByTestId('run-start').or(page.getByTestId('run-next'));
  await start.waitFor();
  if ((await page.getByTestId('run-next').count()) > 0) {
    await page.getByTestId('run-next').click();
    await page.getByTestId('run-confirm').waitFor();
  }
}

/** Resolves when `check()` returns true, polling; fails after `timeoutMs`. */
export async function until(
  check: () => Promise<boolean>,
  what: string,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}
