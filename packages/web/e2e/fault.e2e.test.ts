import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunDetail, SessionRecordDetail, StartedRun } from '@minke/contract';
import { chooseSession, expand, live, row, selectRows, until } from './helpers.js';
import { startBrowserTest } from './harness-browser.js';
import { startScaleOut, type ScaleOut } from './scale-out-harness.js';

const HOSTS = ['local-a', 'local-b', 'local-c'] as const;

/**
 * A line every tenth of a second until the test creates `goFile` (at most 1,500 lines, should
 * the test fail before), then a last line: the run outlives the server's restart, whatever the
 * machine's speed.
 */
function tickUntil(goFile: string): string {
  return (
    `i=0; while [ ! -e '${goFile}' ] && [ $i -lt 1500 ]; do i=$((i+1)); echo "tick $i"; ` +
    `sleep 0.1; done; echo "all done after $i ticks"`
  );
}

/** What `tickUntil` prints when it ends after the number of ticks its last line names. */
function expectedStdout(stdout: string): string {
  const ticks = Number(/all done after (\d+) ticks\n$/.exec(stdout)?.[1] ?? 0);
  const lines = Array.from({ length: ticks }, (_, i) => `tick ${i + 1}\n`);
  return `${lines.join('')}all done after ${ticks} ticks\n`;
}

/** The `count` lines an output view holds, read by scrolling its virtual window down to each. */
async function shownLines(view: Locator, count: number): Promise<string[]> {
  return await view.getByTestId('output-viewport').evaluate(async (viewport, count) => {
    const frame = () => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
    const line = (i: number) => viewport.querySelector<HTMLElement>(`[data-line="${i}"]`);
    const height = viewport.querySelector<HTMLElement>('.minke-output-line')?.offsetHeight ?? 1;
    const lines: string[] = [];
    for (let i = 0; i < count; i++) {
      if (!line(i)) {
        viewport.scrollTop = i * height;
        // the window follows the scroll within a frame or two (bounded wait)
        for (let tries = 0; tries < 100 && !line(i); tries++) await frame();
      }
      lines.push(line(i)?.textContent ?? `(line ${i} not shown)`);
    }
    return lines;
  }, count);
}

// a server restart inside a run: more time than the config's default, for a busy machine
describe('a server restarted while a browser follows a run', { timeout: 300_000 }, () => {
  let deployment: ScaleOut;
  let page: Page;
  let goFile = '';
  const pageErrors: string[] = [];

  beforeAll(async () => {
    const test = await startBrowserTest({
      start: startScaleOut,
      timeoutMs: 30_000,
      pageErrors,
      // counts the `reset` events the server sends (it sends one when it cannot resume a stream)
      initScript: () => {
        const Native = window.EventSource;
        const w = window as unknown as { minkeResets: number };
        w.minkeResets = 0;
        window.EventSource = class extends Native {
          constructor(url: string | URL, init?: EventSourceInit) {
            super(url, init);
            this.addEventListener('reset', () => w.minkeResets++);
          }
        };
      },
    });
    ({ server: deployment, page } = test);
    goFile = join(deployment.projectDir, 'go-on');
    return test.stop;
  });

  afterAll(() => {
    // lets the command end, should the test have failed before it did
    if (goFile) writeFileSync(goFile, '');
  });

  it('reconnects by itself; the rows end green with their whole output, stored completed', async () => {
    await page.goto(`${deployment.url}/#/Host`);
    await row(page, 'local-a').waitFor();
    // a reload would drop this marker
    await page.evaluate(() => ((window as unknown as { marker: number }).marker = 42));
    await selectRows(page, HOSTS);
    await chooseSession(page, 'RunCommand', { cmd: tickUntil(goFile) });
    const posted = page.waitForResponse(
      (r) => r.url().endsWith('/api/runs') && r.request().method() === 'POST',
    );
    await page.getByTestId('run-start').click();
    const runId = ((await (await posted).json()) as StartedRun).id;
    for (const name of HOSTS)
      await live(page, name).and(page.locator('[data-live-state="running"]')).waitFor();
    const view = (await expand(page, 'local-a')).getByTestId('output-view');
    await view.getByText('tick 3', { exact: true }).waitFor();

    // The server dies as in a crash; the worker goes on running the sessions meanwhile.
    await deployment.killServer();
    await page.getByTestId('reconnecting').waitFor();
    expect(await page.getByTestId('reconnecting').textContent()).toContain('reconnecting');
    for (const name of HOSTS)
      expect(await live(page, name).getAttribute('data-live-state')).toBe('running');

    // Back on the same port: the page finds it by itself and follows the run on.
    await deployment.startServer();
    await page.getByTestId('reconnecting').waitFor({ state: 'detached', timeout: 60_000 });
    const before = await view.getByTestId('output-count').textContent();
    await until(
      async () => (await view.getByTestId('output-count').textContent()) !== before,
      'new output after the reconnect',
    ).catch((error: unknown) => {
      // What the server and the worker said is what tells why (seen once on a CI machine).
      throw new Error(`${(error as Error).message} (output count ${before})\n${deployment.log()}`);
    });
    writeFileSync(goFile, '');
    for (const name of HOSTS) {
      await live(page, name)
        .and(page.locator('[data-live-state="completed"][data-live-result="success"]'))
        .waitFor({ timeout: 60_000 });
    }
    await expect(page.getByTestId('count-success').textContent()).resolves.toBe('success 3');
    expect(await page.evaluate(() => (window as unknown as { marker?: number }).marker)).toBe(42);

    // As stored: the run finished, each session completed with the whole output, in order.
    const run = (await (await page.request.get(`${deployment.url}/api/runs/${runId}`)).json()) as
      RunDetail | undefined;
    expect(run).toMatchObject({ state: 'finished', summary: { all: 3, success: 3 } });
    expect(run?.sessions.map((s) => [s.objectLabel, s.processState, s.result]).sort()).toEqual(
      HOSTS.map((name) => [name, 'completed', 'success']),
    );
    for (const session of run?.sessions ?? []) {
      const reply = await page.request.get(`${deployment.url}/api/session-records/${session.id}`);
      const record = (await reply.json()) as SessionRecordDetail;
      const stdout = record.commands[0]?.stdout ?? '';
      expect(stdout, session.objectLabel).toBe(expectedStdout(stdout));

      // The page shows the same: every line (plus the command and its exit status), the last.
      const shown = (await expand(page, session.objectLabel)).getByTestId('output-view');
      const lines = stdout.split('\n').length - 1 + 2;
      await until(
        async () =>
          (await shown.getByTestId('output-count').textContent()) ===
          `${lines.toLocaleString('en')} lines`,
        `${lines} lines of output for ${session.objectLabel}`,
      );
      await shown.getByText(/^all done after \d+ ticks$/).waitFor();
      const text = await shownLines(shown, lines);
      expect(text.slice(1, -1).join('\n') + '\n', session.objectLabel).toBe(stdout);
      expect(text.at(-1)).toMatch(/^\[exit 0, success, /);
    }
    // the stream went on where it broke off: the server never had to say "start over"
    expect(
      await page.evaluate(() => (window as unknown as { minkeResets: number }).minkeResets),
    ).toBe(0);
    expect(pageErrors).toEqual([]);
  });
});
