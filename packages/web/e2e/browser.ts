import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { runNode } from './harness.js';

/** Debian's Chromium by default; MINKE_CHROMIUM points elsewhere. Never a downloaded browser. */
export const CHROMIUM = process.env.MINKE_CHROMIUM ?? '/usr/bin/chromium';

export async function launchBrowser(): Promise<Browser> {
  return await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    timeout: 30_000,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** Logs in through the login page and waits for the dashboard. */
export async function login(
  page: Page,
  url: string,
  user: { username: string; password: string },
): Promise<void> {
  await page.goto(`${url}/#/login`);
  await page.locator('input[name="username"]').fill(user.username);
  await page.locator('input[name="password"]').fill(user.password);
  await page.locator('button[type="submit"]').click();
  await page.getByTestId('dash-hosts').waitFor({ timeout: 15_000 });
}

/**
 * Builds the web admin into packages/web/dist, which the server serves at `/`: a production
 * build in a child process (vitest sets NODE_ENV=test, which would give React's dev build).
 * `viteArgs` go to `vite build` (the bench builds elsewhere: `--outDir DIR`).
 */
export async function buildWeb(
  root: string,
  timeoutMs = 120_000,
  viteArgs: readonly string[] = [],
): Promise<void> {
  const require = createRequire(import.meta.url);
  const vite = join(dirname(require.resolve('vite/package.json')), 'bin/vite.js');
  await runNode([vite, 'build', '--logLevel', 'warn', ...viteArgs], {
    cwd: root,
    env: { ...process.env, NODE_ENV: 'production' },
    timeoutMs,
    what: 'vite build',
  });
}
