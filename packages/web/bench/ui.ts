// npm run bench -- ui [--hosts 600,1000] [--output-lines 40000 [--scroll-step 1200]] [--web DIR]
//                     [--unminified] [--profile DIR] [--trace DIR]
//
// The web admin at size, in Debian's Chromium through playwright-core, over a real `minke start`
// (the browser tests' harness). Figures only; nothing asserted.
//
// Following a big run (--hosts, 600 and 1,000 by default): N hosts on the local transport, all
// on one list page, ticked, the disk-usage session started on them. Printed per N: the time
// from the click on "Run" until the progress bar counts every session done, and how the page's
// main thread fared meanwhile: the longest task in a Chromium trace (RunTask on the renderer's
// main thread), the longest stall of a 16 ms timer, long tasks.
//
// The output panel (--output-lines N; alone unless --hosts is given too): a command printing N
// lines runs through the CLI, the session's page is opened and its output scrolled to the end
// and back, --scroll-step pixels per animation frame. Printed: the time until the lines are
// scrollable, frames (from requestAnimationFrame and from the trace), the longest task.
//
// The page is built into a folder of the bench's own (or --web DIR, a build made before, say of
// an older commit) and served to the browser from there, so a build of the shared
// packages/web/dist by someone else meanwhile changes nothing. --unminified keeps the names;
// --profile writes a V8 CPU profile per N and prints the hottest functions; --trace writes the
// Chromium performance traces there (open either in DevTools' Performance panel).
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { Browser, Page } from 'playwright-core';
import { buildWeb, launchBrowser, login } from '../e2e/browser.js';
import {
  namesShowing,
  openFleetList,
  prepareDiskUsageRun,
  startAndFollow,
} from '../e2e/fleet-run.js';
import { ADMIN, startServer, webRoot } from '../e2e/harness.js';
import { traceWhile, type TraceFigures } from './chromium-trace.js';
import { profileWhile, type HotFunction } from './cpu-profile.js';
import { loadAverage, machineLine } from './machine.js';
import { outputPanel, printOutputPanel } from './output-panel.js';
import { watchMainThread, type MainThreadFigures } from './main-thread-probe.js';

interface FollowFigures extends MainThreadFigures {
  hosts: number;
  followMs: number;
  /** The same stretch as the trace saw it: tasks of the renderer's main thread. */
  trace: TraceFigures;
  hot?: HotFunction[];
}

export async function benchUi(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      hosts: { type: 'string' },
      'output-lines': { type: 'string' },
      'scroll-step': { type: 'string', default: '1200' },
      web: { type: 'string' },
      unminified: { type: 'boolean', default: false },
      profile: { type: 'string' },
      trace: { type: 'string' },
    },
  });
  const outputLines = values['output-lines'];
  const hostsText = values.hosts ?? (outputLines ? '' : '600,1000');
  const counts = hostsText ? hostsText.split(',').map(Number) : [];
  if (counts.some((n) => !Number.isInteger(n) || n < 1 || n > 1000))
    throw new Error(`--hosts takes counts from 1 to 1000, comma-separated: "${hostsText}"`);
  const lines = outputLines === undefined ? undefined : Number(outputLines);
  if (lines !== undefined && !(Number.isInteger(lines) && lines > 0))
    throw new Error(`--output-lines takes a count of lines: "${outputLines}"`);
  const step = Number(values['scroll-step']);
  if (!(step > 0)) throw new Error(`--scroll-step takes pixels: "${values['scroll-step']}"`);
  for (const dir of [values.profile, values.trace]) if (dir) mkdirSync(dir, { recursive: true });
  const ownBuild = values.web ? undefined : mkdtempSync(join(tmpdir(), 'minke-bench-ui-'));
  const webDir = resolve(values.web ?? (ownBuild as string));
  let browser: Browser | undefined;
  try {
    if (ownBuild) {
      const minify = values.unminified ? ['--minify', 'false'] : [];
      await buildWeb(webRoot, 120_000, ['--outDir', ownBuild, '--emptyOutDir', ...minify]);
    }
    browser = await launchBrowser();
    console.log(`${machineLine(browser)}\nweb admin built in ${webDir}`);
    for (const hosts of counts) {
      const figures = await followRun(browser, webDir, hosts, values.profile, values.trace);
      printFigures(figures);
    }
    if (lines !== undefined) {
      const serve = (page: Page, url: string) => serveBuild(page, url, webDir);
      const dirs = { trace: values.trace, profile: values.profile };
      printOutputPanel(await outputPanel(browser, lines, step, serve, dirs));
    }
  } finally {
    await browser?.close();
    if (ownBuild) rmSync(ownBuild, { recursive: true, force: true });
  }
}

/** Serves the page and its assets from `webDir` instead of the server's copy. */
async function serveBuild(page: Page, serverUrl: string, webDir: string): Promise<void> {
  await page.route(
    (url) =>
      url.origin === serverUrl && (url.pathname === '/' || url.pathname.startsWith('/assets/')),
    async (route) => {
      const path = new URL(route.request().url()).pathname;
      await route.fulfill({ path: join(webDir, path === '/' ? 'index.html' : path) });
    },
  );
}

async function followRun(
  browser: Browser,
  webDir: string,
  hosts: number,
  profileDir: string | undefined,
  traceDir: string | undefined,
): Promise<FollowFigures> {
  const server = await startServer({ fleet: hosts });
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  page.setDefaultTimeout(60_000);
  try {
    await serveBuild(page, server.url, webDir);
    await login(page, server.url, ADMIN);
    await openFleetList(page, server.url, hosts);
    await prepareDiskUsageRun(page, hosts);
    let followMs = 0;
    let hot: HotFunction[] | undefined;
    let thread: MainThreadFigures | undefined;
    const follow = async () => {
      const started = performance.now();
      await startAndFollow(page, hosts);
      followMs = performance.now() - started;
    };
    const watched = async () => {
      thread = await watchMainThread(page, follow);
    };
    const traced = async () => {
      if (!profileDir) return await watched();
      hot = await profileWhile(page, join(profileDir, `ui-${hosts}.cpuprofile`), watched);
    };
    const tracePath = traceDir ? resolve(traceDir, `ui-${hosts}.trace.json`) : undefined;
    const trace = await traceWhile(browser, page, traced, tracePath);
    await expectAllDone(page, hosts);
    return {
      hosts,
      followMs,
      ...(thread as unknown as MainThreadFigures),
      trace,
      ...(hot ? { hot } : {}),
    };
  } finally {
    await page.close();
    await server.stop();
  }
}

/** A figure of a run that went wrong would mislead: every row must show its success. */
async function expectAllDone(page: Page, hosts: number): Promise<void> {
  const green = (await namesShowing(page, 'success')).length;
  if (green !== hosts) throw new Error(`${green} of ${hosts} rows show success`);
}

function printFigures(f: FollowFigures): void {
  const t = f.trace;
  console.log(
    `${String(f.hosts).padStart(5)} hosts: followed in ${(f.followMs / 1000).toFixed(1)} s; ` +
      `longest task (trace) ${t.longestTaskMs.toFixed(0)} ms; ` +
      `longest main-thread stall ${f.longestStallMs.toFixed(0)} ms\n` +
      `        trace: ${t.tasks} tasks, ${t.longTasks} over 50 ms ` +
      `(blocking ${t.blockingMs.toFixed(0)} ms in all); ` +
      `Long Tasks API: ${f.longTasks} (longest ${f.longestTaskMs.toFixed(0)} ms, ` +
      `blocking ${f.blockingMs.toFixed(0)} ms); load average ${loadAverage()}`,
  );
  for (const fn of f.hot?.slice(0, 15) ?? [])
    console.log(`        ${fn.selfMs.toFixed(0).padStart(6)} ms  ${fn.name}`);
}
