import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildWeb, launchBrowser } from './browser.js';
import {
  ADMIN,
  cli,
  createUser,
  makeProject,
  repoRoot,
  startMinke,
  webRoot,
  type MinkeServer,
} from './harness.js';
import { row, until } from './helpers.js';
import { newPage, openPage } from './harness-browser.js';

const screenshots = join(repoRoot, 'docs/screenshots');
const PROJECT = 'acme-fleet';
const WIDE = { width: 1440, height: 900 };
const PHONE = { width: 390, height: 844 };

/** A project with no hosts and no runs yet (only the admin), named `acme-fleet`. */
async function startEmptyServer(): Promise<MinkeServer> {
  const projectDir = makeProject();
  writeFileSync(
    join(projectDir, 'package.json'),
    JSON.stringify({ name: PROJECT, type: 'module', private: true }),
  );
  await cli(projectDir, ['migrate']);
  await createUser(projectDir, ADMIN, { superuser: true });
  return await startMinke(projectDir);
}

/** The page's background colour as [r, g, b]. */
async function background(page: Page): Promise<number[]> {
  const color = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  return (color.match(/\d+/g) ?? []).slice(0, 3).map(Number);
}

/** The first bar that is drawn (days without sessions have bars of no height), if any. */
async function drawnBar(chart: Locator): Promise<Locator | null> {
  const bars = chart.locator('.MuiBarChart-element');
  for (let i = 0; i < (await bars.count()); i++) {
    const box = await bars.nth(i).boundingBox();
    if (box && box.height > 2) return bars.nth(i);
  }
  return null;
}

const isDark = (rgb: number[]) => rgb.every((c) => c < 60);
const isLight = (rgb: number[]) => rgb.every((c) => c > 200);

/**
 * Issue 12, items 8–12: dark mode and its remembered toggle, a 390 px phone (filters in a drawer,
 * label and status columns, dialogs inside the screen), natural sort, keyboard shortcuts, the
 * dashboard's charts and links, empty states that lead somewhere, branding and the tab's title.
 */
describe('look and feel of the web admin (Chromium)', () => {
  let server: MinkeServer;
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  /** A page on that screen, logged in as the admin unless `loggedIn` is false. */
  async function open(
    scheme: 'light' | 'dark',
    viewport: { width: number; height: number },
    loggedIn = true,
  ): Promise<Page> {
    const options = { colorScheme: scheme, viewport, timeoutMs: 20_000 };
    const page = loggedIn
      ? await openPage(browser, server.url, options)
      : await newPage(browser, options);
    contexts.push(page.context());
    return page;
  }

  beforeAll(async () => {
    await buildWeb(webRoot);
    server = await startEmptyServer();
    browser = await launchBrowser();
    mkdirSync(screenshots, { recursive: true });
  });

  afterAll(async () => {
    for (const context of contexts) await context.close().catch(() => undefined);
    await browser?.close();
    await server?.stop();
  });

  it('brands the login page and titles the tab with the project', async () => {
    // the loading screen is in the page itself, before any script has run
    expect(await (await fetch(server.url)).text()).toContain('class="minke-splash"');
    // the tab's icon, served by the server itself (a browser asked for a missing one before)
    const icon = await fetch(`${server.url}/favicon.svg`);
    expect([icon.status, icon.headers.get('content-type')]).toEqual([200, 'image/svg+xml']);
    expect(await icon.text()).toContain('<svg');
    for (const [scheme, viewport] of [
      ['light', WIDE],
      ['dark', PHONE],
    ] as const) {
      const page = await open(scheme, viewport, false);
      await page.goto(`${server.url}/#/login`);
      await page.getByTestId('brand-project').getByText(PROJECT).waitFor();
      expect(await page.getByTestId('brand').textContent()).toContain('Minke');
      await until(async () => (await page.title()) === `${PROJECT} · Log in · Minke`, 'the title');
      expect(await page.locator('link[rel="icon"]').getAttribute('href')).toBe('/favicon.svg');
      expect(
        scheme === 'dark' ? isDark(await background(page)) : isLight(await background(page)),
      ).toBe(true);
      if (scheme === 'light') await page.screenshot({ path: join(screenshots, 'login.png') });
      // the form still fits a phone
      const card = await page.locator('.RaLogin-card').boundingBox();
      expect(card && card.x >= 0 && card.x + card.width <= viewport.width).toBe(true);
    }
  });

  it('leads an empty project somewhere: no runs yet, no hosts yet', async () => {
    const page = await open('light', WIDE);
    expect(await page.title()).toBe(`${PROJECT} · Minke`);
    const noRuns = page.getByTestId('no-runs');
    expect(await noRuns.textContent()).toContain(
      'No runs yet: select rows in a list and press Run session',
    );
    await noRuns.getByRole('link', { name: 'Hosts', exact: true }).waitFor();
    // the runs page too, with a way to each list a run starts from
    await page.goto(`${server.url}/#/runs`);
    const runsPage = page.getByTestId('no-runs');
    await runsPage.getByText('No runs yet', { exact: true }).waitFor();
    expect(await runsPage.textContent()).toContain('Select rows in a list and press Run session.');
    const lists = await runsPage.getByTestId('no-runs-model').allTextContents();
    expect(lists).toEqual(expect.arrayContaining(['Hosts', 'Servers']));
    await page.screenshot({ path: join(screenshots, 'runs-empty.png') });
    await runsPage.getByRole('link', { name: 'Hosts', exact: true }).click();
    const noHosts = page.getByTestId('no-hosts');
    expect(await noHosts.textContent()).toContain('Import your ~/.ssh/config or add one.');
    await noHosts.getByRole('link', { name: 'Add a host' }).waitFor();
    await noHosts.getByRole('link', { name: 'Import ~/.ssh/config' }).click();
    await until(() => Promise.resolve(page.url().endsWith('#/import-hosts')), 'the import page');
  });

  it('follows the system setting, and remembers the toggle', async () => {
    const page = await open('dark', WIDE);
    expect(isDark(await background(page))).toBe(true);
    await page.getByRole('button', { name: 'Toggle light/dark mode' }).click();
    await until(async () => isLight(await background(page)), 'the light theme');
    await page.reload();
    await page.getByTestId('dash-hosts').waitFor();
    expect(isLight(await background(page))).toBe(true);
    await page.getByRole('button', { name: 'Toggle light/dark mode' }).click();
    await until(async () => isDark(await background(page)), 'the dark theme again');
  });

  it('sorts host names naturally and answers the keyboard', async () => {
    writeFileSync(
      join(server.projectDir, 'nodes.yaml'),
      'hosts:\n' +
        ['node-10', 'node-2', 'node-1', 'node-9']
          .map((name) => `  - { name: ${name}, hostname: 127.0.0.1, config: { transport: local } }`)
          .join('\n') +
        '\n',
    );
    await cli(server.projectDir, ['load', join(server.projectDir, 'nodes.yaml')]);
    await cli(server.projectDir, ['load', join(server.projectDir, 'demo-data.yaml')]);
    await cli(server.projectDir, ['load', join(server.projectDir, 'e2e-data.yaml')]);

    const page = await open('light', WIDE);
    await page.goto(`${server.url}/#/Host`);
    await row(page, 'node-10').waitFor();
    const names = await page.locator('tbody tr.RaDatagrid-row td.column-name').allTextContents();
    expect(names.filter((name) => name.startsWith('node-'))).toEqual([
      'node-1',
      'node-2',
      'node-9',
      'node-10',
    ]);

    // "/" focuses the search box; keys typed there are the box's, not shortcuts
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await page.keyboard.press('/');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('name'))).toBe('q');
    await page.keyboard.type('gr');
    expect(page.url()).toContain('#/Host');
    await page.locator('input[name="q"]').fill('');
    await page.locator('input[name="q"]').blur();
    // g r, g h (also right after ticking a row: a checkbox takes no typed keys)
    await row(page, 'node-1').locator('input[type="checkbox"]').check();
    await page.keyboard.press('g');
    await page.keyboard.press('r');
    await until(() => Promise.resolve(page.url().includes('#/runs')), 'the runs page');
    await page.keyboard.press('g');
    await page.keyboard.press('h');
    await until(() => Promise.resolve(page.url().includes('#/Host')), 'the host list');
    // ? shows the overlay, Esc closes it
    await page.keyboard.press('?');
    const help = page.getByTestId('shortcuts-help');
    await help.getByText('Go to Runs').waitFor();
    expect(await help.textContent()).toContain('Search this list');
    await page.keyboard.press('Escape');
    await help.waitFor({ state: 'detached' });
  });

  it('draws the dashboard from real runs, every item a link', async () => {
    await cli(server.projectDir, [
      'run',
      'HealthCheck',
      '--model',
      'Host',
      '--where',
      'name ~ local',
    ]);
    for (let i = 0; i < 2; i++) {
      await cli(server.projectDir, [
        'run',
        'DiskUsage',
        '--model',
        'Host',
        '--id',
        'web-1.example.com',
      ]).catch((error: unknown) => {
        // connection refused: the run ends in error, and the CLI says so with its exit code
        expect(String(error)).toContain('exited');
      });
    }
    for (const scheme of ['light', 'dark'] as const) {
      const page = await open(scheme, WIDE);
      const perDay = page.getByTestId('dash-sessions-per-day');
      await until(async () => (await drawnBar(perDay)) !== null, 'a bar in the chart');
      expect(await page.getByTestId('outcome-error').textContent()).toBe('error 2');
      // local-a, local-b, local-c and localhost
      expect(await page.getByTestId('outcome-success').textContent()).toBe('success 4');
      const failing = page.getByTestId('failing-host').first();
      expect(await failing.textContent()).toContain('web-1.example.com');
      expect(await failing.textContent()).toContain('2 failed');
      await page.getByTestId('slow-session').first().waitFor();
      await page.getByTestId('recent-run').first().waitFor();
      // the run counters sit under the text, never over it
      const text = await page
        .getByTestId('recent-run')
        .first()
        .locator('.MuiListItemText-root')
        .boundingBox();
      const counts = await page
        .getByTestId('recent-run')
        .first()
        .getByTestId('run-counts')
        .boundingBox();
      expect(text && counts && counts.y >= text.y + text.height - 1).toBe(true);
      await page.screenshot({
        path: join(screenshots, scheme === 'light' ? 'dashboard.png' : 'dashboard-dark.png'),
        fullPage: true,
      });
      if (scheme === 'dark') continue;
      await failing.click();
      await until(() => Promise.resolve(page.url().includes('#/session-records')), 'the history');
      await page.locator('tbody tr').filter({ hasText: 'web-1.example.com' }).first().waitFor();
      expect(decodeURIComponent(page.url())).toContain('"status":"error"');
      await page.goBack();
      await until(async () => (await drawnBar(perDay)) !== null, 'the chart again');
      await (await drawnBar(perDay))?.click();
      await until(
        () => Promise.resolve(page.url().includes('#/session-records')),
        'the history of a day',
      );
    }
  });

  it('fits a 390 px phone: filters in a drawer, label and status columns, dialogs inside', async () => {
    for (const scheme of ['light', 'dark'] as const) {
      const page = await open(scheme, PHONE);
      await page.goto(`${server.url}/#/Host`);
      await row(page, 'node-1').waitFor();
      expect(await page.getByTestId('filter-sidebar').count()).toBe(0);
      await page.getByTestId('filters-button').click();
      await page.getByTestId('filter-drawer').getByText('Last session status').waitFor();
      await page.keyboard.press('Escape');
      await page.getByTestId('filter-drawer').waitFor({ state: 'detached' });
      // the label and the session column stay; the others wait for a wider screen
      expect(await row(page, 'node-1').locator('td.column-name').isVisible()).toBe(true);
      expect(await row(page, 'node-1').locator('td.minke-session-cell').isVisible()).toBe(true);
      expect(await row(page, 'node-1').locator('td.column-hostname').isVisible()).toBe(false);
      const width = await page.evaluate(() => document.documentElement.scrollWidth);
      expect(width).toBeLessThanOrEqual(PHONE.width);
      await page.screenshot({
        path: join(screenshots, scheme === 'light' ? 'phone-hosts.png' : 'phone-hosts-dark.png'),
      });
      // a dialog fits the screen, and Esc closes it
      await row(page, 'node-1').locator('input[type="checkbox"]').check();
      await page.getByTestId('run-session').click();
      const dialog = page.locator('.MuiDialog-paper');
      await dialog.waitFor();
      const box = await dialog.boundingBox();
      expect(box && box.x >= 0 && box.x + box.width <= PHONE.width).toBe(true);
      if (scheme === 'light')
        await page.screenshot({ path: join(screenshots, 'phone-run-dialog.png') });
      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'detached' });
    }
  });

  it('names the project in every tab title', async () => {
    expect(basename(server.projectDir)).not.toBe(PROJECT); // the name comes from package.json
    const page = await open('light', WIDE);
    await page.goto(`${server.url}/#/Host`);
    await until(async () => (await page.title()) === `${PROJECT} · Minke`, 'the title');
  });
});
