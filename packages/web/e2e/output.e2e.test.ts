import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { until } from './helpers.js';
import { cli, type MinkeServer } from './harness.js';
import { startBrowserTest } from './harness-browser.js';

const seqText = (n: number) => Array.from({ length: n }, (_, i) => `${i + 1}\n`).join('');

// A command printing 300,000 lines: the session page shows the kept head and tail, says what
// was left out, and links the full output, which downloads byte for byte.
describe('long output on the session page', { timeout: 240_000 }, () => {
  let server: MinkeServer;
  let page: Page;

  beforeAll(async () => {
    const test = await startBrowserTest();
    ({ server, page } = test);
    return test.stop;
  }, 240_000);

  it('says what was left out and downloads the full output', async () => {
    const ran = await cli(server.projectDir, ['run', 'BigOutput', '--id', 'localhost', '--json']);
    const id = (JSON.parse(ran) as { records: { id: number }[] }).records[0]?.id;
    await page.goto(`${server.url}/#/session-records/${id}/show`);
    const session = page.getByTestId('session-page');
    const notice = session.getByTestId('output-truncated');
    await notice.waitFor();
    expect(await notice.textContent()).toMatch(
      /Command 1 \(stdout\): [\d,]+ of 300,000 lines \([\d,]+ of 1,988,895 bytes\) left out\./,
    );
    // The marker line sits between head and tail in the output view (found by its search).
    await session.getByTestId('output-search').fill('of stdout left out here');
    await until(
      async () => (await session.getByTestId('output-matches').textContent()) === '1/1',
      'the marker line in the output view',
    );
    const link = notice.getByTestId('download-full-output');
    expect(await link.textContent()).toBe('Download full output');
    const href = await link.getAttribute('href');
    expect(href).toBe(`/api/session-records/${id}/commands/1/output?stream=stdout`);
    // The browser's own session cookie is what lets the link download.
    const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
    expect(download.suggestedFilename()).toBe(`session-${id}-command-1.stdout.txt`);
    const reply = await page.request.get(`${server.url}${href}`);
    expect(reply.status()).toBe(200);
    expect((await reply.text()) === seqText(300_000)).toBe(true);
  });
});
