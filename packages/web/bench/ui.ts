// npm run bench -- ui [--hosts 600,1000] [--web DIR] [--unminified] [--profile DIR] [--trace DIR]
//
// The web admin following a big run, in Debian's Chromium through playwright-core, over a real
// `minke start` (the browser tests' harness): N hosts on the local transport, all on one list
// page, ticked, the disk-usage session started on them. Printed per N: the time from the click
// on "Run" until the progress bar counts every session done, and how the page's main thread
// fared meanwhile (the longest stall of a 16 ms timer, long tasks). Figures only; nothing
// asserted. The page is built into a folder of the bench's own (or --web DIR, a build made
// before, say of an older commit) and served to the browser from there, so a build of the shared
// packages/web/dist by someone else meanwhile changes nothing. --unminified keeps the names;
// --profile writes a V8 CPU profile per N and prints the hottest functions; --trace writes a
// Chromium performance trace per N (open either in DevTools' Performance panel).
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
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
import { profileWhile, type HotFunction } from './cpu-profile.js';
import { watchMainThread, type MainThreadFigures } from './main-thread-probe.js';

interface FollowFigures extends MainThreadFigures {
  hosts: number;
  followMs: number;
  hot?: HotFunction[];
}

export async function benchUi(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      hosts: { type: 'string', default: '600,1000' },
      web: { type: 'string' },
      unminified: { type: 'boolean', default: false },
      profile: { type: 'string' },
      trace: { type: 'string' },
    },
  });
  const counts = values.hosts.split(',').map(Number);
  if (counts.some((n) => !Number.isInteger(n) || n < 1 || n > 1000))
    throw new Error(`--hosts takes counts from 1 to 1000, comma-separated: "${values.hosts}"`);
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
    printMachine(browser, webDir);
    for (const hosts of counts) {
      const figures = await followRun(browser, webDir, hosts, values.profile, values.trace);
      printFigures(figures);
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
    if (traceDir)
      await browser.startTracing(page, { path: resolve(traceDir, `ui-${hosts}.trace.json`) });
    let followMs = 0;
    let hot: HotFunction[] | undefined;
    const follow = async () => {
      const started = performance.now();
      await startAndFollow(page, hosts);
      followMs = performance.now() - started;
    };
    const watched = () => watchMainThread(page, follow);
    let thread: MainThreadFigures;
    if (profileDir) {
      let figures: MainThreadFigures | undefined;
      hot = await profileWhile(page, join(profileDir, `ui-${hosts}.cpuprofile`), async () => {
        figures = await watched();
      });
      thread = figures as MainThreadFigures;
    } else {
      thread = await watched();
    }
    if (traceDir) await browser.stopTracing();
    await expectAllDone(page, hosts);
    return { hosts, followMs, ...thread, ...(hot ? { hot } : {}) };
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

function printMachine(browser: Browser, webDir: string): void {
  const cpu = cpus();
  const load = loadavg()
    .map((n) => n.toFixed(2))
    .join(' ');
  console.log(
    `machine: ${cpu.length} cores, ${cpu[0]?.model ?? 'unknown CPU'}; Node ${process.version}; ` +
      `Chromium ${browser.version()}; load average ${load}\nweb admin built in ${webDir}`,
  );
}

function printFigures(f: FollowFigures): void {
  console.log(
    `${String(f.hosts).padStart(5)} hosts: followed in ${(f.followMs / 1000).toFixed(1)} s; ` +
      `longest main-thread stall ${f.longestStallMs.toFixed(0)} ms; ` +
      `${f.longTasks} long tasks (longest ${f.longestTaskMs.toFixed(0)} ms, ` +
      `blocking ${f.blockingMs.toFixed(0)} ms in all)`,
  );
  for (const fn of f.hot?.slice(0, 15) ?? [])
    console.log(`        ${fn.selfMs.toFixed(0).padStart(6)} ms  ${fn.name}`);
}
