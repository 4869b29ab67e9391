import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { MinkeServer } from './harness.js';
import { startBrowserTest } from './harness-browser.js';

/** A time's hour and minute in UTC, as `1:30`. */
function utcClock(time: string): string {
  const date = new Date(time);
  return `${date.getUTCHours()}:${String(date.getUTCMinutes()).padStart(2, '0')}`;
}

describe('saved jobs in the web admin (Chromium)', () => {
  let server: MinkeServer;
  let page: Page;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    const test = await startBrowserTest({ pageErrors });
    ({ server, page } = test);
    return test.stop;
  });

  it('creates a job with a schedule, shows its next times, launches it and lists its run', async () => {
    await page.goto(`${server.url}/#/jobs/new`);
    await page.locator('input[name="name"]').fill('nightly-health');
    await page.getByRole('combobox', { name: 'Session' }).click();
    await page.locator('li[data-session="HealthCheck"]').click();
    await page.getByRole('combobox', { name: 'Model' }).click();
    await page.getByRole('option', { name: 'Host', exact: true }).click();
    await page.locator('input[name="where"]').fill('name = "localhost"');
    // The live count of what the where matches now.
    await expect
      .poll(() => page.getByTestId('match-count').textContent())
      .toBe('1 object(s) match now');

    await page.locator('input[name="scheduled"]').check();
    await page.locator('input[name="cron"]').fill('30 3 * * *');
    await page.locator('input[name="timezone"]').fill('Europe/Berlin');
    const preview = page.getByTestId('next-times').locator('[data-time]');
    const previewed = () =>
      preview.evaluateAll((nodes) => nodes.map((node) => node.getAttribute('data-time') ?? ''));
    // 03:30 in Berlin is 01:30 or 02:30 UTC. The previews of the default cron and of the cron in
    // UTC may show first (on a slow machine, before the rest is typed): wait for Berlin's.
    const inBerlin = (time: string) => ['1:30', '2:30'].includes(utcClock(time));
    await expect
      .poll(async () => {
        const shownTimes = await previewed();
        return shownTimes.length === 5 && shownTimes.every(inBerlin);
      })
      .toBe(true);
    const times = await previewed();
    // five days in a row, from the next one
    for (const time of times) expect(new Date(time).getUTCMinutes()).toBe(30);
    expect(Date.parse(times[0] ?? '')).toBeGreaterThan(Date.now());
    expect(Date.parse(times[4] ?? '') - Date.parse(times[0] ?? '')).toBeGreaterThan(
      3.9 * 86_400_000,
    );

    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByTestId('job-page').waitFor();
    const shown = page.getByTestId('job-schedule').locator('[data-time]');
    await expect.poll(() => shown.count()).toBe(5);
    expect(await shown.first().getAttribute('data-time')).toBe(times[0]);

    await page.getByRole('button', { name: 'Launch' }).click();
    const run = page.getByTestId('job-runs').locator('tr[data-run]');
    await run.first().waitFor();
    await expect
      .poll(() => run.first().textContent(), { timeout: 60_000 })
      .toMatch(/finished1\/1 done1 success$/);
    // The runs over time: one bar per run, stacked by outcome.
    await page.getByTestId('job-runs-chart').locator('svg').first().waitFor();

    // The job is in the list, and its tick in "what runs next".
    await page.goto(`${server.url}/#/jobs`);
    await page.locator('tr[data-job="nightly-health"]').waitFor();
    await page.goto(`${server.url}/#/schedules`);
    await page.getByTestId('schedules-page').getByText('nightly-health').first().waitFor();
    expect(pageErrors).toEqual([]);
  });

  it('saves time limits with a job (per object, whole run), shows them, and takes them away again', async () => {
    await page.goto(`${server.url}/#/jobs/new`);
    await page.locator('input[name="name"]').fill('timed-health');
    await page.getByRole('combobox', { name: 'Session' }).click();
    await page.locator('li[data-session="HealthCheck"]').click();
    await page.getByRole('combobox', { name: 'Model' }).click();
    await page.getByRole('option', { name: 'Host', exact: true }).click();
    await page.locator('input[name="where"]').fill('name = "localhost"');
    const save = page.getByRole('button', { name: 'Save' });
    const limit = page.locator('input[name="time-limit"]');
    const runLimit = page.locator('input[name="run-time-limit"]');
    // not a limit, in either field: said under it, and the job is not saved
    for (const [field, testId] of [
      [limit, 'time-limit-field'],
      [runLimit, 'run-limit-field'],
    ] as const) {
      await field.fill('soon');
      await page
        .getByTestId(testId)
        .getByText('"soon" is not a time limit', { exact: false })
        .waitFor();
      await expect(save.isDisabled()).resolves.toBe(true);
      await field.fill('');
    }
    await limit.fill('2h');
    await runLimit.fill('3h');
    await save.click();
    await page.getByTestId('job-page').waitFor();
    await expect(page.getByTestId('job-time-limit').textContent()).resolves.toBe(
      'Time limit 2 h per object.',
    );
    await expect(page.getByTestId('job-run-limit').textContent()).resolves.toBe(
      'Run limit 3 h for each run.',
    );

    // The editor shows it as saved; emptied, the job has none.
    await page.getByRole('link', { name: 'Edit' }).click();
    await expect(limit.inputValue()).resolves.toBe('2 h');
    await expect(runLimit.inputValue()).resolves.toBe('3 h');
    await limit.fill('');
    await runLimit.fill('');
    await save.click();
    await page.getByTestId('job-page').waitFor();
    await page.getByTestId('job-batch').waitFor();
    expect(await page.getByTestId('job-time-limit').count()).toBe(0);
    expect(await page.getByTestId('job-run-limit').count()).toBe(0);
    expect(pageErrors).toEqual([]);
  });
});
