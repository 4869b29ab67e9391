import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { chooseSession, clearRuns, expand, live, row, selectRows, until } from './helpers.js';
import { ADMIN, VIEWER, repoRoot, type MinkeServer } from './harness.js';
import { newPage, openPage, startBrowserTest } from './harness-browser.js';

const screenshots = join(repoRoot, 'docs/screenshots');

describe('web admin in Chromium', () => {
  let server: MinkeServer;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    mkdirSync(screenshots, { recursive: true });
    const test = await startBrowserTest({
      pageErrors,
      // keep the page's EventSources reachable, so a test can cut the stream
      initScript: () => {
        const Native = window.EventSource;
        const sources: EventSource[] = [];
        (window as unknown as { minkeSources: EventSource[] }).minkeSources = sources;
        window.EventSource = class extends Native {
          constructor(url: string | URL, init?: EventSourceInit) {
            super(url, init);
            sources.push(this);
          }
        };
      },
    });
    ({ server, browser, page } = test);
    return test.stop;
  });

  it('logs in and shows the dashboard', async () => {
    // openPage logged in through the login page, which leaves it on the dashboard
    expect(page.url()).toMatch(/#\/$/);
    await page.getByTestId('dash-hosts').getByText('all 7').waitFor();
  });

  it('takes a link to a list opened before logging in to that list, with no error in the page', async () => {
    const errors: string[] = [];
    const p = await newPage(browser, { pageErrors: errors });
    try {
      await p.goto(`${server.url}/#/Server`);
      await p.locator('input[name="username"]').fill(ADMIN.username);
      await p.locator('input[name="password"]').fill(ADMIN.password);
      await p.locator('button[type="submit"]').click();
      await p.locator('tbody tr').first().waitFor({ timeout: 15_000 });
      expect(p.url()).toMatch(/#\/Server$/);
      // The login page once asked for the models before anyone was logged in: an unhandled 401.
      expect(errors).toEqual([]);
    } finally {
      await p.context().close();
    }
  });

  it('refuses a wrong password', async () => {
    const p = await newPage(browser);
    await p.goto(`${server.url}/#/login`);
    await p.locator('input[name="username"]').fill(ADMIN.username);
    await p.locator('input[name="password"]').fill('not the password');
    await p.locator('button[type="submit"]').click();
    await p.getByText('wrong user name or password').waitFor({ timeout: 10_000 });
    await p.context().close();
  });

  it('adds a host through the form', async () => {
    await page.goto(`${server.url}/#/Host/create`);
    await page.locator('input[name="name"]').fill('web-e2e.example.com');
    await page.locator('input[name="hostname"]').fill('127.0.0.1');
    await page.locator('input[name="port"]').fill('2299');
    await page.locator('input[name="user"]').fill('deploy');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.waitForURL(/#\/Host\/\d+\/show/, { timeout: 10_000 });
    await page.getByText('web-e2e.example.com').first().waitFor();
    await page.goto(`${server.url}/#/Host`);
    await row(page, 'web-e2e.example.com').waitFor();
    expect(await row(page, 'web-e2e.example.com').textContent()).toContain('2299');
  });

  it('runs a session with a form on three objects; they turn green without a reload', async () => {
    await page.goto(`${server.url}/#/Host`);
    await row(page, 'local-a').waitFor();
    // a reload would drop this marker
    await page.evaluate(() => ((window as unknown as { marker: number }).marker = 42));
    await selectRows(page, ['local-a', 'local-b', 'local-c']);
    await chooseSession(page, 'DiskUsage', { path: '/tmp' });
    // DiskUsage has no `confirm`: it starts from its form, on the three objects
    expect(await page.getByTestId('run-confirm').count()).toBe(0);
    await expect(page.getByTestId('run-start').textContent()).resolves.toBe('Run on 3 objects');
    await page.getByTestId('run-start').click();
    for (const name of ['local-a', 'local-b', 'local-c']) {
      await live(page, name).and(page.locator('[data-live-result="success"]')).waitFor({
        timeout: 30_000,
      });
    }
    expect(await page.evaluate(() => (window as unknown as { marker?: number }).marker)).toBe(42);
    // the row is coloured green
    const background = await row(page, 'local-b')
      .locator('td')
      .first()
      .evaluate((td) => getComputedStyle(td).backgroundColor);
    expect(background).toBe('rgb(223, 240, 216)');
    await expect(page.getByTestId('count-success').textContent()).resolves.toBe('success 3');
    // output expands under a row
    await (await expand(page, 'local-b')).getByText('$ df -h /tmp').waitFor();
  });

  it('follows the runs of this tab again after a reload', async () => {
    await page.reload();
    for (const name of ['local-a', 'local-b', 'local-c']) {
      await live(page, name).and(page.locator('[data-live-result="success"]')).waitFor();
    }
    await expect(page.getByTestId('count-success').textContent()).resolves.toBe('success 3');
  });

  it('filters the list by the last session status', async () => {
    await page.goto(`${server.url}/#/Host`);
    await clearRuns(page);
    await page.getByTestId('filter-last-success').click();
    await until(
      async () => (await page.locator('tbody tr.RaDatagrid-row').count()) === 3,
      'the three hosts whose last session succeeded',
    );
    for (const name of ['local-a', 'local-b', 'local-c']) await row(page, name).waitFor();
    await page.getByTestId('filter-last-success').click(); // off again
    await row(page, 'localhost').waitFor();
  });

  it('leaves out objects unticked in the confirm step', async () => {
    await page.goto(`${server.url}/#/Host`);
    await clearRuns(page);
    await selectRows(page, ['local-a', 'localhost']);
    // RunCommand asks for a confirmation: its confirm step lists the objects, ticked
    await chooseSession(page, 'RunCommand', { cmd: 'uptime' });
    await page.getByTestId('run-confirm').getByLabel('localhost').uncheck();
    await expect(page.getByTestId('run-start').textContent()).resolves.toBe('Run on 1 object');
    await page.getByTestId('run-start').click();
    await live(page, 'local-a').and(page.locator('[data-live-state="completed"]')).waitFor();
    expect(await live(page, 'localhost').count()).toBe(0);
  });

  it('stops a long session: the row ends "stopped"', async () => {
    await page.goto(`${server.url}/#/Host`);
    await selectRows(page, ['local-c']);
    await chooseSession(page, 'LongSleep');
    await page.getByTestId('run-start').click();
    await live(page, 'local-c').and(page.locator('[data-live-state="running"]')).waitFor();
    await (await expand(page, 'local-c')).getByText('$ sleep 30').waitFor();
    await page.waitForTimeout(300); // let the command start
    // the table scrolls sideways inside its card; show its start
    await page.evaluate(() =>
      document.querySelectorAll('.RaDatagrid-tableWrapper').forEach((el) => (el.scrollLeft = 0)),
    );
    await page.screenshot({ path: join(screenshots, 'list-during-run.png') });
    // first stop: stop after the current command; second: kill it
    await row(page, 'local-c').getByTestId('stop-row').click();
    await live(page, 'local-c').and(page.locator('[data-live-state="stopping"]')).waitFor();
    await row(page, 'local-c').getByTestId('stop-row').click();
    await live(page, 'local-c')
      .and(page.locator('[data-live-state="stopped"]'))
      .waitFor({ timeout: 15_000 });
    expect(await live(page, 'local-c').textContent()).toContain('stopped');
  });

  it('stops a whole run with "stop all"', async () => {
    await page.goto(`${server.url}/#/Host`);
    await clearRuns(page);
    await selectRows(page, ['local-a', 'local-b']);
    await chooseSession(page, 'LongSleep');
    await page.getByTestId('run-start').click();
    await live(page, 'local-a').and(page.locator('[data-live-state="running"]')).waitFor();
    await page.getByTestId('stop-all').click();
    await page.getByTestId('stop-all').click(); // the second press kills
    for (const name of ['local-a', 'local-b']) {
      await live(page, name)
        .and(page.locator('[data-live-state="stopped"], [data-live-state="canceled"]'))
        .waitFor({ timeout: 15_000 });
    }
  });

  it('resumes the event stream after it breaks, losing nothing', async () => {
    await page.goto(`${server.url}/#/Host`);
    await clearRuns(page);
    await selectRows(page, ['local-a']);
    await chooseSession(page, 'Ticker');
    await page.getByTestId('run-start').click();
    const view = (await expand(page, 'local-a')).getByTestId('output-view');
    await view.getByText('tick 3', { exact: true }).waitFor();
    // cut the stream as a dropped connection the browser gives up on would
    const cut = await page.evaluate(() => {
      const w = window as unknown as { minkeSources: EventSource[] };
      const open = w.minkeSources.filter((s) => s.readyState !== 2);
      for (const source of open) {
        source.close();
        source.dispatchEvent(new Event('error'));
      }
      return open.length;
    });
    expect(cut).toBe(1);
    await page.getByTestId('reconnecting').waitFor();
    await live(page, 'local-a')
      .and(page.locator('[data-live-state="completed"]'))
      .waitFor({ timeout: 20_000 });
    // it came back with the id of the last event it had, and every line is there, once
    const urls = await page.evaluate(() =>
      (window as unknown as { minkeSources: EventSource[] }).minkeSources.map((s) => s.url),
    );
    expect(urls.at(-1)).toMatch(/since=[1-9]\d*/);
    await until(
      async () => (await view.getByTestId('output-count').textContent()) === '42 lines',
      'the command line, 40 ticks and the exit status',
    );
    await view.getByText('tick 40', { exact: true }).waitFor();
    await view.getByTestId('output-viewport').evaluate((el) => (el.scrollTop = 0));
    await view.getByText('tick 1', { exact: true }).waitFor();
  });

  it('shows the history and a session page with its commands', async () => {
    await page.goto(`${server.url}/#/session-records`);
    const history = page.getByTestId('history-list');
    await history.waitFor();
    await history.getByText('Disk usage').first().click();
    const session = page.getByTestId('session-page');
    await session.waitFor();
    await session.getByTestId('commands').getByText('df -h /tmp').waitFor();
    await session.getByText('Filesystem').first().waitFor();
    // let the last notification go before taking the picture
    await page.locator('.MuiSnackbar-root').waitFor({ state: 'detached', timeout: 10_000 });
    await page.screenshot({ path: join(screenshots, 'session-page.png'), fullPage: true });
    // the object's History tab
    await page.goto(`${server.url}/#/Host`);
    await row(page, 'local-b').locator('a').first().click();
    await page.getByRole('tab', { name: 'History' }).click();
    await page.getByTestId('object-history').getByText('Disk usage').waitFor();
  });

  it('keeps the output view responsive with 40,000 lines', async () => {
    await page.goto(`${server.url}/#/Host`);
    await selectRows(page, ['localhost']);
    await chooseSession(page, 'ChattyOutput');
    await page.getByTestId('run-start').click();
    const view = (await expand(page, 'localhost')).getByTestId('output-view'); // while it runs
    await view.waitFor();
    await live(page, 'localhost')
      .and(page.locator('[data-live-state="completed"]'))
      .waitFor({ timeout: 60_000 });
    await until(
      async () =>
        ((await view.getByTestId('output-count').textContent()) ?? '').startsWith('40,002'),
      '40,000 lines of output (plus the command and its status)',
      30_000,
    );
    // follow mode showed the end
    await view.getByText('line 40000 of chatty output').waitFor();
    const rendered = async () => await view.locator('.minke-output-line').count();
    expect(await rendered()).toBeLessThan(60);
    // scroll through it: after each jump some lines show, never all of them
    const shown = await view.getByTestId('output-viewport').evaluate(async (el) => {
      const frame = () => new Promise((r) => requestAnimationFrame(() => r(undefined)));
      const out: number[] = [];
      for (const top of [0, 200_000, 400_000, 700_000, 100_000, 0]) {
        el.scrollTop = top;
        await frame();
        await frame();
        out.push(el.querySelectorAll('.minke-output-line').length);
      }
      return out;
    });
    expect(
      shown.every((count) => count > 0 && count < 60),
      `lines shown: ${shown.join(', ')}`,
    ).toBe(true);
    // colours: the ANSI green of "line N"
    const color = await view
      .locator('.minke-output-line span', { hasText: /^line \d+$/ })
      .first()
      .evaluate((span) => getComputedStyle(span).color);
    expect(color).toBe('rgb(124, 207, 108)');
    // search jumps to a far line and marks it
    await view.getByTestId('output-search').fill('line 12345 ');
    await until(
      async () => (await view.getByTestId('output-matches').textContent()) === '1/1',
      'one match',
    );
    await view.getByTestId('output-search').press('Enter');
    await view.locator('.minke-output-line', { hasText: 'line 12345 of' }).waitFor();
    expect(await rendered()).toBeLessThan(60);
  });

  it('imports hosts from an uploaded OpenSSH config', async () => {
    await page.goto(`${server.url}/#/import-hosts`);
    await page.getByTestId('import-file').setInputFiles({
      name: 'ssh_config',
      mimeType: 'text/plain',
      buffer: Buffer.from(
        'Host imported-1\n  HostName 10.0.0.9\n  User root\nHost *.internal\n  User x\n',
      ),
    });
    await until(
      async () => (await page.getByLabel('OpenSSH config').inputValue()).includes('imported-1'),
      'the uploaded file in the text box',
    );
    await page.getByLabel(/Dry run/).uncheck();
    await page.getByRole('button', { name: 'Import' }).click();
    const report = page.getByTestId('import-report');
    await report.getByText('imported-1').waitFor();
    await page.goto(`${server.url}/#/Host`);
    await row(page, 'imported-1').waitFor();
  });

  it('manages users and API tokens', async () => {
    await page.goto(`${server.url}/#/users/create`);
    await page.locator('input[name="username"]').fill('operator');
    await page.locator('input[name="password"]').fill('operator-password-1');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.waitForURL(/#\/users$/);
    await page.getByText('operator', { exact: true }).waitFor();
    await page.goto(`${server.url}/#/tokens/create`);
    await page.locator('input[name="name"]').fill('ci');
    await page.getByRole('button', { name: 'Save' }).click();
    const token = page.getByTestId('new-token');
    await token.waitFor();
    expect(await token.inputValue()).toMatch(/^mkt_/);
    await page.getByRole('button', { name: 'Done' }).click();
    await page.getByTestId('token-list').getByText('ci', { exact: true }).waitFor();
  });

  it('hides sessions the user may not run', async () => {
    const p = await openPage(browser, server.url, {
      user: VIEWER,
      viewport: { width: 1280, height: 800 },
    });
    try {
      await p.goto(`${server.url}/#/Host`);
      await row(p, 'local-a').waitFor();
      await selectRows(p, ['local-a']);
      await p.getByTestId('run-session').click();
      await p.locator('#session-picker').click();
      await p.locator('li[data-session="HealthCheck"]').waitFor();
      expect(await p.locator('li[data-session="DiskUsage"]').count()).toBe(0);
      expect(await p.locator('li[data-session="LongSleep"]').count()).toBe(0);
      await p.keyboard.press('Escape');
      // no add permission: no Create button; no user admin in the menu
      expect(await p.getByRole('link', { name: 'Create' }).count()).toBe(0);
      expect(await p.getByRole('menuitem', { name: 'Users' }).count()).toBe(0);
      expect(await p.getByRole('menuitem', { name: 'Apps' }).count()).toBe(0);
    } finally {
      await p.context().close();
    }
  });

  it('threw no errors in the page', () => {
    expect(pageErrors).toEqual([]);
  });
});
