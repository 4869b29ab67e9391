import { resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { login } from '../e2e/browser.js';
import { ADMIN, cli, startServer } from '../e2e/harness.js';
import { traceWhile, type TraceFigures } from './chromium-trace.js';
import { profileWhile, type HotFunction } from './cpu-profile.js';
import { loadAverage } from './machine.js';
import { allowNamedFunctions, scrollThrough, type ScrollFigures } from './scroll-probe.js';

/** The output view's row height (`src/output/output-row.tsx`), which the scroll check needs. */
const ROW_HEIGHT = 18;

/**
 * A run record whose command printed `lines` lines of `seq`-style output: numbers of 1 to 6
 * characters, every 100th line green (ANSI), every 1,000th a long line of 160 characters.
 * Small enough (40,000 lines: about 240 KB) for the record to keep it whole (it keeps 128 KiB of
 * head and of tail of a longer output), so the page shows every line.
 */
export function outputCommand(lines: number): string {
  const long = 'x'.repeat(150);
  return (
    `awk 'BEGIN { for (i = 1; i <= ${lines}; i++) { ` +
    `if (i % 1000 == 0) printf "%d ${long}\\n", i; ` +
    `else if (i % 100 == 0) printf "\\033[32m%d\\033[0m\\n", i; ` +
    `else print i } }'`
  );
}

export interface OutputPanelFigures {
  lines: number;
  /** From the navigation (history list → session page) until its output view shows every line
   * and scrolls. */
  openMs: number;
  open: TraceFigures;
  scroll: ScrollFigures;
  scrollTrace: TraceFigures;
  /** With --profile: where the time went, by function, while opening and while scrolling. */
  hot: { open: HotFunction[]; scroll: HotFunction[] };
}

/**
 * The output panel at size: the command runs through the CLI on a host of the local transport
 * (`localhost`), then the browser, logged in, opens the session's page and scrolls its output
 * from top to bottom and back.
 */
export async function outputPanel(
  browser: Browser,
  lines: number,
  step: number,
  prepare: (page: Page, serverUrl: string) => Promise<void>,
  dirs: { trace?: string | undefined; profile?: string | undefined },
): Promise<OutputPanelFigures> {
  const server = await startServer();
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  page.setDefaultTimeout(60_000);
  try {
    const id = await runCommand(server.projectDir, outputCommand(lines));
    await prepare(page, server.url);
    await allowNamedFunctions(page);
    await login(page, server.url, ADMIN);
    // from the history list, as a user would come (the dashboard's charts would add their own
    // teardown to the time)
    await page.goto(`${server.url}/#/session-records`);
    await page.getByTestId('history-list').waitFor();
    const shown = `${(lines + 2).toLocaleString('en')} lines`;
    // each stage traced, and profiled with --profile
    const measured = async (stage: string, work: () => Promise<void>) => {
      const file = (ext: string) => `output-${lines}-${stage}.${ext}`;
      let hot: HotFunction[] | undefined;
      const profiled = async () => {
        if (dirs.profile)
          hot = await profileWhile(page, resolve(dirs.profile, file('cpuprofile')), work);
        else await work();
      };
      const path = dirs.trace && resolve(dirs.trace, file('trace.json'));
      return { trace: await traceWhile(browser, page, profiled, path), hot: hot ?? [] };
    };
    let openMs = 0;
    const open = await measured('open', async () => {
      const started = performance.now();
      await page.goto(`${server.url}/#/session-records/${id}/show`);
      await page.waitForFunction(
        (text) => {
          const view = document.querySelector('[data-testid="session-page"]');
          const box = view?.querySelector<HTMLElement>('[data-testid="output-viewport"]');
          return (
            view?.querySelector('[data-testid="output-count"]')?.textContent === text &&
            !!box?.querySelector('.minke-output-line') &&
            box.scrollHeight > box.clientHeight
          );
        },
        shown,
        { polling: 'raf', timeout: 120_000 },
      );
      openMs = performance.now() - started;
    });
    const box = page.getByTestId('session-page').getByTestId('output-viewport');
    let scroll: ScrollFigures | undefined;
    const scrolled = await measured('scroll', async () => {
      scroll = await scrollThrough(box, {
        step,
        rowSelector: '.minke-output-line',
        rowHeight: ROW_HEIGHT,
        timeoutMs: 300_000,
      });
    });
    return {
      lines,
      openMs,
      open: open.trace,
      scroll: scroll as ScrollFigures,
      scrollTrace: scrolled.trace,
      hot: { open: open.hot, scroll: scrolled.hot },
    };
  } finally {
    await page.close();
    await server.stop();
  }
}

/** Runs `command` on `localhost` through the CLI (RunCommand asks for a confirmation: --yes). */
async function runCommand(projectDir: string, command: string): Promise<number> {
  const args = [
    'run',
    'RunCommand',
    '--model',
    'Host',
    '--id',
    'localhost',
    '--data',
    `cmd=${command}`,
  ];
  const out = await cli(projectDir, [...args, '--yes', '--json'], {}, 300_000);
  const id = (JSON.parse(out) as { records: { id: number }[] }).records[0]?.id;
  if (id === undefined) throw new Error(`the run made no session record:\n${out}`);
  return id;
}

export function printOutputPanel(f: OutputPanelFigures): void {
  const s = f.scroll;
  const t = f.scrollTrace;
  console.log(
    `output panel, ${f.lines.toLocaleString('en')} lines: scrollable ${f.openMs.toFixed(0)} ms ` +
      `after opening the session page (longest task ${f.open.longestTaskMs.toFixed(0)} ms)\n` +
      `  scrolled to the end and back in ${(s.scrollMs / 1000).toFixed(1)} s: ${s.frames} frames ` +
      `(median ${s.medianFrameMs.toFixed(1)} ms), ${s.slowFrames} over 25 ms, ` +
      `${s.droppedFrames} dropped, worst ${s.worstFrameMs.toFixed(0)} ms, ` +
      `${s.blankFrames} painted with rows missing\n` +
      `  trace: longest task ${t.longestTaskMs.toFixed(0)} ms, ${t.longTasks} over 50 ms; ` +
      `compositor: ${t.framesDrawn} frames drawn, ${t.framesDropped} dropped, ` +
      `${t.framesPartial} partial (main thread late); load average ${loadAverage()}`,
  );
  for (const [stage, hot] of Object.entries(f.hot)) {
    if (hot.length > 0) console.log(`  where the time went, ${stage}:`);
    for (const fn of hot.slice(0, 20))
      console.log(`        ${fn.selfMs.toFixed(0).padStart(6)} ms  ${fn.name}`);
  }
}
