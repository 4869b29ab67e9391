import { writeFileSync } from 'node:fs';
import { release } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { chooseSession, clearRuns, expand, live, row, selectRows } from './helpers.js';
import { cli, repoRoot, startServer, type MinkeServer } from './harness.js';
import { apiSend, openPage, startBrowserTest } from './harness-browser.js';

const FLEET = 20;
const screenshots = join(repoRoot, 'docs/screenshots');
const fleetNames = Array.from(
  { length: FLEET },
  (_, i) => `zz-fleet-${String(i).padStart(3, '0')}`,
);

/** One Server record per fleet host (role `cache`, which the demo's servers do not use). */
function fleetServersYaml(): string {
  const rows = fleetNames.map((name) => `    - { host: ${name}, role: cache }`);
  return `records:\n  Server:\n${rows.join('\n')}\n`;
}

// The run flow of the web admin, through a built server on a project folder: rows that show
// what a session wrote, confirm or not, stopped apart from failed, output that tells the truth,
// one name per session, page wording, and re-run.
describe('the run flow', () => {
  let server: MinkeServer;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    const test = await startBrowserTest({
      start: () => startServer({ fleet: FLEET }),
      prepare: async (started) => {
        const file = join(started.projectDir, 'fleet-servers.yaml');
        writeFileSync(file, fleetServersYaml());
        await cli(started.projectDir, ['load', file]);
      },
      timeoutMs: 30_000,
    });
    ({ server, browser, page } = test);
    return test.stop;
  });

  it('fills in the values a session wrote on 20 rows as they turn green, without a reload', async () => {
    const filter = encodeURIComponent(JSON.stringify({ where: 'role = cache' }));
    await page.goto(`${server.url}/#/Server?filter=${filter}&perPage=50&page=1`);
    await page
      .locator('tbody tr.RaDatagrid-row')
      .nth(FLEET - 1)
      .waitFor();
    const kernels = page.locator('tbody tr.RaDatagrid-row td.column-kernel');
    expect((await kernels.allTextContents()).every((text) => text.trim() === '')).toBe(true);
    await page.evaluate(() => ((window as unknown as { marker: number }).marker = 7));
    await page.locator('thead input[type="checkbox"]').check();
    await page.getByTestId('run-session').click();
    await page.locator('#session-picker').click();
    // one name per session: the verbose name, the class name beside it
    const option = page.locator('li[data-session="ServerInfo"]');
    await expect(option.textContent()).resolves.toBe('Server infoServerInfo');
    await option.click();
    // no form, no `confirm`: the next press starts it
    expect(await page.getByTestId('run-next').count()).toBe(0);
    await expect(page.getByTestId('run-start').textContent()).resolves.toBe('Run on 20 objects');
    await page.getByTestId('run-start').click();
    await page.waitForFunction(
      (done) => document.querySelector('[data-testid="count-done"]')?.textContent === done,
      `done ${FLEET}`,
      { polling: 100, timeout: 120_000 },
    );
    await expect(page.getByTestId('count-success').textContent()).resolves.toBe(`success ${FLEET}`);
    // every row shows the kernel the session read (this machine's), in the same page
    await page.waitForFunction(
      ([kernel, count]) =>
        [...document.querySelectorAll('tbody tr.RaDatagrid-row td.column-kernel')].filter(
          (td) => td.textContent?.trim() === kernel,
        ).length === count,
      [release(), FLEET] as const,
      { polling: 200, timeout: 30_000 },
    );
    const cores = await page.locator('tbody tr.RaDatagrid-row td.column-cores').allTextContents();
    expect(cores.filter((text) => /^\d+$/.test(text.trim()))).toHaveLength(FLEET);
    expect(await page.evaluate(() => (window as unknown as { marker?: number }).marker)).toBe(7);
  });

  it('shows the confirm step of a `confirm` session: objects by label and host, the form data', async () => {
    await clearRuns(page);
    await page.locator('tbody tr.RaDatagrid-row input[type="checkbox"]').nth(0).check();
    await page.locator('tbody tr.RaDatagrid-row input[type="checkbox"]').nth(1).check();
    await chooseSession(page, 'RunCommand', { cmd: 'echo confirmed' }, { sudo: 'sudo-pw-1' });
    const confirm = page.getByTestId('run-confirm');
    // Which passwords were given, never what they are.
    await expect(confirm.getByTestId('confirm-passwords').textContent()).resolves.toBe(
      'With the sudo password given here, for this run only (never stored).',
    );
    expect(await page.content()).not.toContain('sudo-pw-1');
    const labels = await confirm.locator('li label').allTextContents();
    expect(labels).toHaveLength(2);
    // The demo names a server by its host ("zz-fleet-000 (Server #5)"): no need to add "on …"
    for (const label of labels) expect(label).toMatch(/^zz-fleet-0\d\d \(Server #\d+\)$/);
    expect(new Set(labels).size).toBe(2);
    await expect(
      page.getByTestId('form-summary').locator('[data-field="cmd"]').textContent(),
    ).resolves.toContain('echo confirmed');
    await page.screenshot({ path: join(screenshots, 'run-confirm.png') });
    await page.getByTestId('run-start').click();
    await page.waitForFunction(
      () => document.querySelector('[data-testid="count-done"]')?.textContent === 'done 2',
    );
  });

  it('shows a stop apart from a failure: grey, counted as stopped, Kill now while stopping', async () => {
    await page.goto(`${server.url}/#/Host`);
    await clearRuns(page);
    await selectRows(page, ['local-c', 'db-1.example.com']);
    await chooseSession(page, 'LongSleep');
    await page.getByTestId('run-start').click();
    // a disabled host: canceled at once, the reason in the row itself
    const off = live(page, 'db-1.example.com');
    await off.and(page.locator('[data-live-state="canceled"]')).waitFor();
    await expect(off.getByTestId('end-reason').textContent()).resolves.toBe(
      'db-1.example.com: host db-1.example.com is disabled',
    );
    await live(page, 'local-c').and(page.locator('[data-live-state="running"]')).waitFor();
    await (await expand(page, 'local-c')).getByText('$ sleep 30').waitFor();
    await row(page, 'local-c').getByTestId('stop-row').click();
    const kill = row(page, 'local-c').getByRole('button', { name: 'Kill now' });
    await kill.waitFor();
    await expect(kill.textContent()).resolves.toBe('Kill now');
    await page.screenshot({ path: join(screenshots, 'run-stopping.png') });
    await kill.click();
    await live(page, 'local-c')
      .and(page.locator('[data-live-state="stopped"]'))
      .waitFor({ timeout: 15_000 });
    for (const name of ['local-c', 'db-1.example.com']) {
      await expect(row(page, name).getAttribute('data-live-result')).resolves.toBe('stopped');
      const color = await row(page, name)
        .locator('td')
        .first()
        .evaluate((td) => getComputedStyle(td).backgroundColor);
      expect(color).toBe('rgb(228, 228, 228)');
    }
    await expect(page.getByTestId('count-error').textContent()).resolves.toBe('error 0');
    await expect(page.getByTestId('count-stopped').textContent()).resolves.toBe('stopped 2');

    // The runs list and the run's page count them the same way, from the server's summary
    await page.goto(`${server.url}/#/runs`);
    const newest = page.locator('tbody tr').first();
    await newest.locator('[data-count="stopped"]').waitFor();
    await expect(newest.locator('[data-count="stopped"]').textContent()).resolves.toBe('2 stopped');
    expect(await newest.locator('[data-count="error"]').count()).toBe(0);
    const grey = await newest
      .locator('[data-count="stopped"]')
      .evaluate((chip) => getComputedStyle(chip).backgroundColor);
    expect(grey).toBe('rgb(228, 228, 228)');
    await page.screenshot({ path: join(screenshots, 'runs-stopped.png') });
    // a click on the row, as a person does: the page must wait for the run's sessions
    await newest.locator('td').first().click();
    const runPage = page.getByTestId('run-page');
    await runPage.locator('[data-count="stopped"]').waitFor();
    await expect(runPage.locator('[data-count="stopped"]').textContent()).resolves.toBe(
      '2 stopped',
    );
    expect(await runPage.locator('[data-count="error"]').count()).toBe(0);
    await page.goto(`${server.url}/#/Host`);
  });

  it('follows runs on the runs list without a reload: a new run appears, then its end', async () => {
    await page.goto(`${server.url}/#/runs`);
    await page.getByText(/Runs/).first().waitFor();
    const newest = page.locator('tbody tr').first();
    // Started elsewhere (as another user or the CLI would), while the list is open.
    const started = (await apiSend(page, 'POST', '/api/runs', {
      session: 'LongSleep',
      model: 'Host',
      ids: ['local-c'],
    })) as { id: number };
    const idCell = newest.locator('td.column-id');
    const stateCell = newest.locator('td.column-state');
    await expect.poll(() => idCell.textContent(), { timeout: 30_000 }).toBe(String(started.id));
    await expect.poll(() => stateCell.textContent(), { timeout: 20_000 }).toBe('running');
    // Stopped, then killed, elsewhere: the row says so on its own.
    for (let stop = 0; stop < 2; stop++)
      await apiSend(page, 'POST', `/api/runs/${started.id}/stop`, {});
    await expect.poll(() => stateCell.textContent(), { timeout: 20_000 }).toBe('finished');
    await expect(newest.locator('[data-count="stopped"]').textContent()).resolves.toBe('1 stopped');
    await page.goto(`${server.url}/#/Host`); // where the next test starts, as the others leave it
  });

  it('says a session has a time limit, and shows it failed in red once past it', async () => {
    await page.goto(`${server.url}/#/Host`);
    await clearRuns(page);
    await selectRows(page, ['local-b']);
    await chooseSession(page, 'TimesOut');
    await expect(page.getByTestId('session-time-limit').textContent()).resolves.toBe(
      'Time limit 1.5 s per object: past it the session is stopped and fails.',
    );
    await page.getByTestId('run-start').click();
    const hung = live(page, 'local-b');
    await hung.and(page.locator('[data-live-state="failed"]')).waitFor({ timeout: 30_000 });
    await expect(row(page, 'local-b').getAttribute('data-live-result')).resolves.toBe('error');
    const panel = await expand(page, 'local-b');
    await panel.getByText("timed out: the session's limit is 1.5 s", { exact: false }).waitFor();
    await expect(page.getByTestId('count-error').textContent()).resolves.toBe('error 1');
  });

  it("stops a session at the time limit given in the dialog, and shows the run's limit", async () => {
    await page.goto(`${server.url}/#/Host`);
    await clearRuns(page);
    await selectRows(page, ['local-c']);
    // LongSleep has no limit of its own: only the run's stops it
    await chooseSession(page, 'LongSleep');
    expect(await page.getByTestId('session-time-limit').count()).toBe(0);
    const limit = page.getByTestId('time-limit-field');
    // not a limit: said under the field, and nothing starts
    await limit.locator('input').fill('soon');
    await limit.getByText('"soon" is not a time limit', { exact: false }).waitFor();
    await expect(page.getByTestId('run-start').isDisabled()).resolves.toBe(true);
    await limit.locator('input').fill('1s');
    await expect(page.getByTestId('run-start').isEnabled()).resolves.toBe(true);
    const posted = page.waitForResponse(
      (r) => r.url().endsWith('/api/runs') && r.request().method() === 'POST',
    );
    await page.getByTestId('run-start').click();
    const response = await posted;
    expect(response.request().postDataJSON()).toMatchObject({ timeoutMs: 1000 });
    const run = (await response.json()) as { id: number };
    await live(page, 'local-c')
      .and(page.locator('[data-live-state="failed"]'))
      .waitFor({ timeout: 30_000 });
    await expect(row(page, 'local-c').getAttribute('data-live-result')).resolves.toBe('error');
    const panel = await expand(page, 'local-c');
    await panel
      .getByText("timed out: the run's limit is 1 s; it was stopped and its running command killed")
      .waitFor();
    await page.goto(`${server.url}/#/runs/${run.id}/show`);
    await expect(page.getByTestId('run-time-limit').textContent()).resolves.toBe(
      'Time limit 1 s per object',
    );
    // Change and re-run: the run's limit to change, and which objects
    await page.getByTestId('rerun-change').click();
    const dialog = page.getByTestId('rerun-dialog');
    const field = dialog.getByTestId('time-limit-field').locator('input');
    await expect(field.inputValue()).resolves.toBe('1 s');
    await expect(
      dialog.getByTestId('rerun-failed-only').locator('input').isChecked(),
    ).resolves.toBe(true);
    await field.fill('later');
    await expect(page.getByTestId('rerun-start').isDisabled()).resolves.toBe(true);
    await field.fill('2s');
    await page.screenshot({ path: join(screenshots, 'rerun-change.png'), animations: 'disabled' });
    const rerun = page.waitForResponse((r) => r.url().endsWith(`/api/runs/${run.id}/rerun`));
    await page.getByTestId('rerun-start').click();
    const rerunResponse = await rerun;
    expect(rerunResponse.status()).toBe(201);
    expect(rerunResponse.request().postDataJSON()).toEqual({ failedOnly: true, timeoutMs: 2000 });
    const again = (await rerunResponse.json()) as { id: number };
    await page.waitForURL(`**/#/runs/${again.id}/show`);
    // the new run's page (the old one's may still be on screen for a moment)
    await page
      .getByTestId('run-time-limit')
      .filter({ hasText: /^Time limit 2 s per object$/ })
      .waitFor();
    await page.goto(`${server.url}/#/Host`);
  });

  it("stops a run at the whole run's limit given in the dialog, and shows it on the run page", async () => {
    await page.goto(`${server.url}/#/Host`);
    await clearRuns(page);
    // local-b: no run holds it (local-c's re-run of the test before may still be going, and a
    // session whose turn came after the limit would never start: canceled).
    await selectRows(page, ['local-b']);
    await chooseSession(page, 'LongSleep');
    const field = page.getByTestId('run-limit-field');
    await field.locator('input').fill('later');
    await field.getByText('"later" is not a time limit', { exact: false }).waitFor();
    await expect(page.getByTestId('run-start').isDisabled()).resolves.toBe(true);
    await field.locator('input').fill('1s');
    await field.getByText('the whole run, from its start', { exact: false }).waitFor();
    const posted = page.waitForResponse(
      (r) => r.url().endsWith('/api/runs') && r.request().method() === 'POST',
    );
    await page.getByTestId('run-start').click();
    const response = await posted;
    expect(response.request().postDataJSON()).toMatchObject({ runTimeoutMs: 1000 });
    expect(response.request().postDataJSON()).not.toHaveProperty('timeoutMs');
    const started = (await response.json()) as { id: number };
    await live(page, 'local-b')
      .and(page.locator('[data-live-state="failed"]'))
      .waitFor({ timeout: 30_000 });
    const panel = await expand(page, 'local-b');
    await panel
      .getByText(
        "timed out: the whole run's limit is 1 s; it was stopped and its running command killed",
      )
      .waitFor();
    await page.goto(`${server.url}/#/runs/${started.id}/show`);
    await expect(page.getByTestId('run-wide-limit').textContent()).resolves.toBe('Run limit 1 s');
    await page.goto(`${server.url}/#/Host`);
  });

  it('does not show a command that never ran as `$ command`', async () => {
    await clearRuns(page);
    await selectRows(page, ['web-1.example.com']);
    await chooseSession(page, 'HealthCheck');
    await page.getByTestId('run-start').click();
    const web1 = live(page, 'web-1.example.com');
    await web1.and(page.locator('[data-live-state="failed"]')).waitFor({ timeout: 30_000 });
    const output = (await expand(page, 'web-1.example.com')).getByTestId('output-view');
    await output.getByText('✗ not run: uptime').waitFor();
    expect(await output.getByText('$ uptime').count()).toBe(0);
  });

  it('links the full output under a row when output was left out, and never calls it complete', async () => {
    await page.goto(`${server.url}/#/Host`);
    await clearRuns(page);
    await selectRows(page, ['local-a']);
    await chooseSession(page, 'BigOutput');
    await page.getByTestId('run-start').click();
    await live(page, 'local-a')
      .and(page.locator('[data-live-result="success"]'))
      .waitFor({ timeout: 60_000 });
    const shown = await expand(page, 'local-a');
    const link = shown.getByTestId('download-full-output');
    await link.waitFor();
    expect(await link.getAttribute('href')).toMatch(
      /^\/api\/session-records\/\d+\/commands\/1\/output\?stream=stdout$/,
    );
    const text = (await shown.textContent()) ?? '';
    expect(text).not.toContain('complete stored output');
    expect(text).not.toMatch(/earlier dropped/);
  });

  it('re-runs the failed sessions only, from the progress bar, and everything from the run page', async () => {
    await clearRuns(page);
    await selectRows(page, ['local-a', 'web-1.example.com']);
    await chooseSession(page, 'HealthCheck');
    const first = page.waitForResponse(
      (r) => r.url().endsWith('/api/runs') && r.request().method() === 'POST',
    );
    await page.getByTestId('run-start').click();
    const firstRun = (await (await first).json()) as { id: number };
    await live(page, 'local-a').and(page.locator('[data-live-state="completed"]')).waitFor();
    await live(page, 'web-1.example.com')
      .and(page.locator('[data-live-state="failed"]'))
      .waitFor({ timeout: 30_000 });
    await page.getByTestId('rerun-failed').and(page.locator(':enabled')).waitFor();
    await page.screenshot({ path: join(screenshots, 'run-rerun.png'), animations: 'disabled' });
    const again = page.waitForResponse((r) => r.url().endsWith(`/api/runs/${firstRun.id}/rerun`));
    await page.getByTestId('rerun-failed').click();
    const rerun = (await (await again).json()) as {
      id: number;
      session: string;
      records: { objectLabel: string }[];
    };
    expect(rerun.session).toBe('HealthCheck');
    expect(rerun.records.map((r) => r.objectLabel)).toEqual(['web-1.example.com']);
    await expect(live(page, 'web-1.example.com').getAttribute('data-record-id')).resolves.not.toBe(
      null,
    );

    // the run page: its sessions, and Re-run of all of them
    await page.goto(`${server.url}/#/runs/${firstRun.id}/show`);
    await page.getByTestId('run-page').waitFor();
    await expect(page.getByTestId('run-page').locator('h6').textContent()).resolves.toContain(
      'Health checkHealthCheck',
    );
    const all = page.waitForResponse((r) => r.url().endsWith(`/api/runs/${firstRun.id}/rerun`));
    await page.getByTestId('rerun').click();
    const allRun = (await (await all).json()) as { id: number; records: unknown[] };
    expect(allRun.records).toHaveLength(2);
    await page.waitForURL(`**/#/runs/${allRun.id}/show`);
    await page.getByTestId('run-page').locator('tbody tr').nth(1).waitFor();
  });

  it('starts a run with passwords given in the dialog, and asks for them again on its re-run', async () => {
    await page.goto(`${server.url}/#/Host`);
    await clearRuns(page);
    await selectRows(page, ['local-a']);
    await chooseSession(page, 'Ticker', {}, { ssh: 'ssh-pw-1', sudo: 'sudo-pw-2' });
    const sudoField = page.getByTestId('run-passwords').locator('input[name="run-sudo-password"]');
    await expect(sudoField.getAttribute('type')).resolves.toBe('password');
    const posted = page.waitForResponse(
      (r) => r.url().endsWith('/api/runs') && r.request().method() === 'POST',
    );
    await page.getByTestId('run-start').click();
    const response = await posted;
    expect(response.status()).toBe(201);
    // The run-time layer over the host's settings: the server uses it for this run only.
    expect(response.request().postDataJSON()).toMatchObject({
      connection: { password: 'ssh-pw-1', sudo: { password: 'sudo-pw-2' } },
    });
    const run = (await response.json()) as { id: number };
    await live(page, 'local-a')
      .and(page.locator('[data-live-result="success"]'))
      .waitFor({ timeout: 30_000 });
    // Its page: Re-run does not start at once, it asks for the passwords again.
    await page.goto(`${server.url}/#/runs/${run.id}/show`);
    await page.getByTestId('rerun').and(page.locator(':enabled')).waitFor();
    await page.getByTestId('rerun').click();
    const dialog = page.getByTestId('rerun-dialog');
    await expect(dialog.getByTestId('rerun-secrets-note').textContent()).resolves.toContain(
      'This run was started with secrets (secret fields or passwords), which are never stored',
    );
    // Open at once: the run had no secret fields, so what it had were passwords.
    const again = dialog.locator('input[name="run-sudo-password"]');
    await again.fill('sudo-pw-3');
    await page.screenshot({
      path: join(screenshots, 'rerun-passwords.png'),
      animations: 'disabled',
    });
    const rerun = page.waitForResponse((r) => r.url().endsWith(`/api/runs/${run.id}/rerun`));
    await page.getByTestId('rerun-start').click();
    expect((await rerun).status()).toBe(201);
    expect((await rerun).request().postDataJSON()).toEqual({
      failedOnly: false,
      connection: { sudo: { password: 'sudo-pw-3' } },
    });
    // Once the dialog is gone, the passwords are nowhere on the page (nor in the new run's).
    const { id: newId } = (await (await rerun).json()) as { id: number };
    await page.waitForURL(`**/#/runs/${newId}/show`);
    await dialog.waitFor({ state: 'detached' });
    expect(await page.content()).not.toMatch(/ssh-pw-1|sudo-pw-[23]/);
  });

  it('asks for the secrets again on a re-run; the other form values are the run’s', async () => {
    await page.goto(`${server.url}/#/Host`);
    await clearRuns(page);
    await selectRows(page, ['local-b']);
    await chooseSession(page, 'SecretEcho', { word: 'kept-word', token: 'hunter2' });
    await page.getByTestId('run-start').click();
    const cell = live(page, 'local-b');
    await cell.and(page.locator('[data-live-result="success"]')).waitFor();
    const firstRecord = await cell.getAttribute('data-record-id');
    await page.getByTestId('rerun').and(page.locator(':enabled')).waitFor();
    await page.getByTestId('rerun').click();
    // only the secret is asked: a run never stores it; the word is the run's
    const dialog = page.getByTestId('rerun-dialog');
    await dialog.waitFor();
    expect(await dialog.locator('[name="word"]').count()).toBe(0);
    await dialog.locator('[name="token"]').fill('hunter2');
    const again = page.waitForResponse((r) => r.url().endsWith('/rerun'));
    await page.getByTestId('rerun-start').click();
    expect((await again).status()).toBe(201);
    // the limit was left alone: the run's holds, and none is sent
    expect((await again).request().postDataJSON()).toEqual({
      failedOnly: false,
      data: { token: 'hunter2' },
    });
    await page.waitForFunction(
      ([before]) => {
        const row = [...document.querySelectorAll('tbody tr.RaDatagrid-row')].find(
          (tr) => tr.querySelector('td.column-name')?.textContent === 'local-b',
        );
        const cell = row?.querySelector('.minke-live');
        return (
          cell?.getAttribute('data-record-id') !== before &&
          cell?.getAttribute('data-live-result') === 'success'
        );
      },
      [firstRecord] as const,
    );
    await (
      await expand(page, 'local-b')
    )
      .getByTestId('output-view')
      .getByText('kept-word', { exact: true })
      .waitFor();
  });

  it('fits the confirm step and the progress bar on a 390 px phone at night', async () => {
    const phone = await openPage(browser, server.url, {
      viewport: { width: 390, height: 844 },
      colorScheme: 'dark',
      timeoutMs: 30_000,
    });
    try {
      await phone.goto(`${server.url}/#/Host`);
      await clearRuns(phone);
      await selectRows(phone, ['local-a']);
      await chooseSession(phone, 'RunCommand', { cmd: 'echo at night' });
      const dialog = phone.locator('.MuiDialog-paper');
      const box = await dialog.boundingBox();
      expect(box && box.x >= 0 && box.x + box.width <= 390).toBe(true);
      await phone.getByTestId('form-summary').getByText('echo at night').waitFor();
      await phone.screenshot({ path: join(screenshots, 'phone-run-confirm-dark.png') });
      await phone.getByTestId('run-start').click();
      await live(phone, 'local-a').and(phone.locator('[data-live-result="success"]')).waitFor();
      await phone.getByTestId('rerun').and(phone.locator(':enabled')).waitFor();
      const width = await phone.evaluate(() => document.documentElement.scrollWidth);
      expect(width).toBeLessThanOrEqual(390);
    } finally {
      await phone.context().close();
    }
  });

  it('words errors for the page, not for the command line', async () => {
    const filter = encodeURIComponent(JSON.stringify({ where: 'name = ' }));
    await page.goto(`${server.url}/#/Host?filter=${filter}`);
    const message = page.locator('.MuiSnackbar-root');
    await message.waitFor();
    const text = (await message.textContent()) ?? '';
    expect(text).toContain('invalid filter expression');
    expect(text).not.toContain('--where');
  });
});
