import type { Browser, Page } from 'playwright-core';
import { login } from './browser.js';
import { ADMIN } from './harness.js';

export interface PageOptions {
  /** Who logs in (default the admin). */
  user?: { username: string; password: string };
  colorScheme?: 'light' | 'dark';
  viewport?: { width: number; height: number };
  /** How long a locator waits by default (15 s unless told). */
  timeoutMs?: number;
  /** Collects the page's uncaught errors (a test expects it to stay empty). */
  pageErrors?: string[];
}

/**
 * A new browser context and page on a desktop screen, logged in to `url`: the start of nearly
 * every browser test.
 */
export async function openPage(
  browser: Browser,
  url: string,
  options: PageOptions = {},
): Promise<Page> {
  const context = await browser.newContext({
    viewport: options.viewport ?? { width: 1440, height: 900 },
    ...(options.colorScheme ? { colorScheme: options.colorScheme } : {}),
  });
  context.setDefaultTimeout(options.timeoutMs ?? 15_000);
  const page = await context.newPage();
  const errors = options.pageErrors;
  if (errors) page.on('pageerror', (error) => errors.push(error.message));
  await login(page, url, options.user ?? ADMIN);
  return page;
}

/** GET from the page, with its session cookie. */
export async function apiGet<T>(page: Page, path: string): Promise<T> {
  return (await page.evaluate(async (url) => {
    const response = await fetch(url, { headers: { Accept: 'application/json' } });
    return (await response.json()) as unknown;
  }, path)) as T;
}
