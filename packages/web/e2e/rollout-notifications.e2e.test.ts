import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ADMIN,
  cli,
  createToken,
  createUser,
  fleetYaml,
  makeProject,
  repoRoot,
  startMinke,
  type MinkeServer,
} from './harness.js';
import { startBrowserTest } from './harness-browser.js';

/**
 * The run page of a rolling run (batches as they progress, the budget's reason when it stops),
 * the notifications page (channels, Send test, the delivery log with a retried delivery), and a
 * saved job with batches, a schedule and its own rule made, edited and launched in the editor,
 * in Chromium against a built `minke start` on a demo project with a notification channel.
 */
describe('rolling runs and notifications in the web admin (Chromium)', () => {
  let url = '';
  let page: Page;
  let receiver: Server;
  const hooks: number[] = [];
  let token = '';

  /** The demo project with a webhook channel to `receiver`, a fleet of four, and its admin. */
  async function start(): Promise<MinkeServer> {
    receiver = createServer((request, response) => {
      request.resume();
      request.on('end', () => {
        // The first delivery fails once: the log shows it retried.
        const status = hooks.length === 0 ? 500 : 200;
        hooks.push(status);
        response.writeHead(status).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const hookPort = (receiver.address() as AddressInfo).port;
    const projectDir = makeProject();
    const configFile = join(projectDir, 'minke.config.ts');
    writeFileSync(
      configFile,
      readFileSync(configFile, 'utf8').replace(
        "  server: { listen: '127.0.0.1', port: 8000 },",
        `  server: { listen: '127.0.0.1', port: 8000 },
  notifications: {
    channels: [
      { name: 'ops-hook', kind: 'webhook', url: 'http://127.0.0.1:${hookPort}/minke', secret: { env: 'E2E_HOOK_SECRET' } },
    ],
    rules: [{ on: ['run.finished'], channel: 'ops-hook' }],
  },`,
      ),
    );
    await cli(projectDir, ['migrate']);
    await cli(projectDir, ['load', join(projectDir, 'demo-data.yaml')]);
    writeFileSync(join(projectDir, 'fleet.yaml'), fleetYaml(4));
    await cli(projectDir, ['load', join(projectDir, 'fleet.yaml')]);
    await createUser(projectDir, ADMIN, { superuser: true });
    token = await createToken(projectDir, ADMIN.username);
    return await startMinke(projectDir, { E2E_HOOK_SECRET: 'e2e-hook-secret' });
  }

  beforeAll(async () => {
    const test = await startBrowserTest({ start, timeoutMs: 20_000 });
    url = test.server.url;
    page = test.page;
    return test.stop;
  }, 180_000);

  afterAll(async () => {
    await new Promise((resolve) => receiver?.close(resolve));
  });

  it('shows the batches of a rolling run and why it stopped', async () => {
    // Batches of 2 with 1 failure allowed: the fleet hosts work, the example.com hosts refuse
    // the connection (nothing listens on their ports), so batch 2 spends the budget.
    const ids = [
      'zz-fleet-000',
      'zz-fleet-001',
      'web-1.example.com',
      'web-2.example.com',
      'zz-fleet-002',
      'zz-fleet-003',
    ];
    const response = await fetch(`${url}/api/runs`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        session: 'DiskUsage',
        model: 'Host',
        ids,
        batch: { size: 2, maxFail: 1 },
      }),
    });
    expect(response.status, await response.clone().text()).toBe(201);
    const { id } = (await response.json()) as { id: number };
    await page.goto(`${url}/#/runs/${id}/show`);
    const progress = page.getByTestId('batch-progress');
    await progress.waitFor();
    await expect
      .poll(() => progress.getAttribute('data-state'), { timeout: 60_000 })
      .toBe('budget-exceeded');
    await expect.poll(() => page.getByTestId('batch-1').getAttribute('data-state')).toBe('done');
    await expect.poll(() => page.getByTestId('batch-2').getAttribute('data-state')).toBe('done');
    await expect
      .poll(() => page.getByTestId('batch-3').getAttribute('data-state'))
      .toBe('canceled');
    expect(await page.getByTestId('batch-2').textContent()).toBe('Batch 2: done 2/2, 2 failed');
    expect(await page.getByTestId('budget-reason').textContent()).toBe(
      'No new batch: failure budget exceeded after 4 of 6: 2 failed, 1 allowed',
    );
    // The run's notification as the delivery log has it: the channel's first answer was a 500.
    const notified = page.getByTestId('run-notifications');
    const chip = notified.locator('[data-state]');
    await expect
      .poll(() => chip.getAttribute('data-state'), { timeout: 30_000 })
      .toMatch(/^(retrying|delivered)$/);
    expect(await notified.textContent()).toMatch(
      /^Notificationsops-hook · run\.finished · (retrying|delivered)$/,
    );
    await chip.hover();
    const tooltip = page.getByRole('tooltip');
    await tooltip.waitFor();
    expect(await tooltip.textContent()).toBe('HTTP 500 Internal Server Error');
    await page.mouse.move(0, 0);
    await tooltip.waitFor({ state: 'hidden' });
    await page.screenshot({ path: join(repoRoot, 'docs/screenshots/rolling-run.png') });
  }, 120_000);

  it('lists the channel, sends a test and shows the delivery log with the retry', async () => {
    await page.goto(`${url}/#/notifications`);
    const channel = page.locator('[data-channel="ops-hook"]');
    await channel.waitFor();
    expect(await channel.textContent()).toContain('run.finished');
    // The run above was announced: the receiver failed it once, the retry went through.
    const log = page.getByTestId('delivery-log');
    await expect
      .poll(async () => await log.locator('tr[data-state="delivered"]').count(), {
        timeout: 60_000,
      })
      .toBeGreaterThanOrEqual(1);
    const delivered = log.locator('tr[data-state="delivered"]').first();
    expect(await delivered.textContent()).toContain('HTTP 500');
    await channel.getByRole('button', { name: 'Send test' }).click();
    await expect
      .poll(async () => await log.locator('tr', { hasText: 'test of channel ops-hook' }).count(), {
        timeout: 30_000,
      })
      .toBe(1);
    await expect
      .poll(
        async () =>
          log.locator('tr', { hasText: 'test of channel ops-hook' }).getAttribute('data-state'),
        { timeout: 30_000 },
      )
      .toBe('delivered');
    // The chip fades to its new colour (MUI's transition): the picture after it.
    await page.waitForTimeout(500);
    await page.screenshot({ path: join(repoRoot, 'docs/screenshots/notifications.png') });
  }, 120_000);

  it('makes a job with batches, a schedule and a rule, edits it, launches it, and tells the channel', async () => {
    await page.goto(`${url}/#/jobs/new`);
    const name = page.locator('input[name="name"]');
    await name.fill('Rolling Disk');
    const nameHelp = page.locator('#' + ((await name.getAttribute('aria-describedby')) ?? ''));
    expect(await nameHelp.textContent()).toBe(
      'a job name: lower-case letters, digits, ".", "_" and "-", at most 63',
    );
    await name.fill('rolling-disk');
    await page.getByRole('combobox', { name: 'Session' }).click();
    await page.locator('li[data-session="DiskUsage"]').click();
    await page.getByRole('combobox', { name: 'Model' }).click();
    await page.getByRole('option', { name: 'Host', exact: true }).click();
    await page.locator('input[name="where"]').fill('name ^= "zz-fleet"');
    await expect
      .poll(() => page.getByTestId('match-count').textContent())
      .toBe('4 object(s) match now');
    await page.locator('input[name="data-path"]').fill('/');

    // Batches: a mistake is said next to its field, and nothing is saved while one stands.
    await page.locator('input[name="batched"]').check();
    const size = page.locator('input[name="batch-size"]');
    await size.fill('half');
    const sizeHelp = page.locator('#' + ((await size.getAttribute('aria-describedby')) ?? ''));
    expect(await sizeHelp.textContent()).toBe('a count, or a percentage such as "25%"');
    expect(await page.getByRole('button', { name: 'Save' }).isDisabled()).toBe(true);
    await size.fill('50%');
    await page.locator('input[name="batch-pause"]').fill('2');
    await page.locator('input[name="batch-max-fail"]').fill('1');

    await page.locator('input[name="scheduled"]').check();
    await page.locator('input[name="cron"]').fill('0 4 * * *');
    const preview = page.getByTestId('next-times').locator('[data-time]');
    await expect.poll(() => preview.count()).toBe(5);
    for (const time of await preview.evaluateAll((nodes) =>
      nodes.map((node) => node.getAttribute('data-time') ?? ''),
    ))
      expect(new Date(time).getUTCHours()).toBe(4);

    // The job's own rule: finished (and failed, the default) to the project's channel.
    await page.getByRole('button', { name: 'Add a rule' }).click();
    await page.locator('input[name="rule-0-run.finished"]').check();
    await page.getByRole('combobox', { name: 'Channel' }).click();
    await page.locator('li[data-channel="ops-hook"]').click();
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByTestId('job-page').waitFor();
    expect(await page.getByTestId('job-batch').textContent()).toBe(
      'In batches of 50%, 2 s apart, at most 1 failed.',
    );
    expect(await page.getByTestId('job-notify').textContent()).toBe(
      'Notifications: run.failed, run.finished → ops-hook.',
    );
    await expect
      .poll(() => page.getByTestId('job-schedule').locator('[data-time]').count())
      .toBe(5);

    // Edit: the editor opens with the job as saved; a new time, switched off, a shorter pause.
    await page.getByRole('link', { name: 'Edit' }).click();
    await page.getByTestId('job-editor').waitFor();
    expect(await page.locator('input[name="name"]').isDisabled()).toBe(true);
    expect(await page.locator('input[name="batch-pause"]').inputValue()).toBe('2');
    expect(await page.locator('input[name="where"]').inputValue()).toBe('name ^= "zz-fleet"');
    await page.locator('input[name="cron"]').fill('15 5 * * *');
    await expect
      .poll(async () =>
        (
          await page
            .getByTestId('next-times')
            .locator('[data-time]')
            .evaluateAll((nodes) => nodes.map((node) => node.getAttribute('data-time') ?? ''))
        ).map((time) => new Date(time).getUTCHours()),
      )
      .toEqual([5, 5, 5, 5, 5]);
    await page.locator('input[name="schedule-enabled"]').uncheck();
    await page.locator('input[name="batch-pause"]').fill('1');
    await page.screenshot({
      path: join(repoRoot, 'docs/screenshots/job-edit.png'),
      fullPage: true,
    });
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByTestId('job-page').waitFor();
    await expect
      .poll(() => page.getByTestId('job-batch').textContent())
      .toBe('In batches of 50%, 1 s apart, at most 1 failed.');
    expect(await page.getByTestId('job-schedule').textContent()).toContain(
      '15 5 * * * (UTC), disabled',
    );

    // Launch it and watch its batches on the run page.
    await page.getByRole('button', { name: 'Launch' }).click();
    const runLink = page.getByTestId('job-runs').locator('tr[data-run] a').first();
    await runLink.waitFor();
    const runId = Number((await runLink.textContent())?.replace('#', ''));
    await runLink.click();
    const progress = page.getByTestId('batch-progress');
    await progress.waitFor();
    await expect
      .poll(() => progress.getAttribute('data-state'), { timeout: 60_000 })
      .toBe('finished');
    expect(await page.getByTestId('batch-1').textContent()).toBe('Batch 1: done 2/2');
    expect(await page.getByTestId('batch-2').textContent()).toBe('Batch 2: done 2/2');

    // The channel heard it once (the job's rule and the project's name the same channel).
    await page.goto(`${url}/#/notifications`);
    const row = page.getByTestId('delivery-log').locator('tr', { hasText: `run ${runId}:` });
    await expect.poll(() => row.count(), { timeout: 30_000 }).toBe(1);
    await expect.poll(() => row.getAttribute('data-state'), { timeout: 30_000 }).toBe('delivered');

    // The job's page: what it runs, its batches and rule, the schedule switched off, its run.
    await page.goto(`${url}/#/jobs`);
    await page.locator('tr[data-job="rolling-disk"] a').click();
    await page.getByTestId('job-page').waitFor();
    await expect
      .poll(() => page.getByTestId('job-runs').locator(`tr[data-run="${runId}"]`).textContent())
      .toContain('finished');
    await page.screenshot({
      path: join(repoRoot, 'docs/screenshots/job-page.png'),
      fullPage: true,
    });
  }, 180_000);
});
