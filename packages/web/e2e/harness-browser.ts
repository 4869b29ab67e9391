import type { Browser, Page } from 'playwright-core';
import { buildWeb, launchBrowser, login } from './browser.js';
import { ADMIN, startServer, webRoot, type MinkeServer } from './harness.js';

export interface PageOptions {
  /** Who logs in (default the admin). */
  user?: { username: string; password: string };
  colorScheme?: 'light' | 'dark';
  viewport?: { width: number; height: number };
  /** How long a locator waits by default (15 s unless told). */
  timeoutMs?: number;
  /** Collects the page's uncaught errors (a test expects it to stay empty). */
  pageErrors?: string[];
  /** Runs in the page before its own scripts, on every load (e.g. to wrap `EventSource`). */
  initScript?: () => void;
  /** Called with the new page before anything loads in it: listeners that must see every reply. */
  watch?: (page: Page) => void;
}

/**
 * A new browser context and page on a desktop screen, not logged in: for a test of the login
 * itself. Closing `page.context()` ends it.
 */
export async function newPage(
  browser: Browser,
  options: Omit<PageOptions, 'user'> = {},
): Promise<Page> {
  const context = await browser.newContext({
    viewport: options.viewport ?? { width: 1440, height: 900 },
    ...(options.colorScheme ? { colorScheme: options.colorScheme } : {}),
  });
  context.setDefaultTimeout(options.timeoutMs ?? 15_000);
  if (options.initScript) await context.addInitScript(options.initScript);
  const page = await context.newPage();
  const errors = options.pageErrors;
  if (errors) page.on('pageerror', (error) => errors.push(error.message));
  options.watch?.(page);
  return page;
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
  const page = await newPage(browser, options);
  await login(page, url, options.user ?? ADMIN);
  return page;
}

/** A browser test file's running parts: the server, Chromium and a logged-in page. */
export interface BrowserTest<S extends MinkeServer = MinkeServer> {
  server: S;
  browser: Browser;
  page: Page;
  /** Closes the browser, then stops the server (which removes its project). */
  stop: () => Promise<void>;
}

export interface BrowserTestOptions<S extends MinkeServer = MinkeServer> extends PageOptions {
  /** Starts the server (default `startServer()`, the demo project with its two users). */
  start?: () => Promise<S>;
  /** Prepares what the file needs on the running server (users, hosts, rows) before the page opens. */
  prepare?: (server: S) => Promise<void> | void;
}

/**
 * The start of a browser test file: builds the web admin, starts the server, Chromium and a
 * page logged in as `options.user`; what started is stopped again if a later step fails.
 * `beforeAll` returns its `stop`, which vitest calls after the file.
 */
export async function startBrowserTest<S extends MinkeServer = MinkeServer>(
  options: BrowserTestOptions<S> = {},
): Promise<BrowserTest<S>> {
  await buildWeb(webRoot);
  // without `start`, S is MinkeServer itself
  const server = options.start ? await options.start() : ((await startServer()) as S);
  let browser: Browser | undefined;
  try {
    await options.prepare?.(server);
    browser = await launchBrowser();
    const page = await openPage(browser, server.url, options);
    const started = browser;
    const stop = async () => {
      await started.close();
      await server.stop();
    };
    return { server, browser, page, stop };
  } catch (error) {
    await browser?.close();
    await server.stop();
    throw error;
  }
}

/**
 * Keeps the text of every reply whose address holds `urlPart` in `texts`, for a test that checks
 * no secret ever leaves the server: `openPage(browser, url, { watch: (p) => keepReplies(p, '/api/', texts) })`.
 */
export function keepReplies(page: Page, urlPart: string, texts: string[]): void {
  page.on('response', (response) => {
    if (!response.url().includes(urlPart)) return;
    response.text().then(
      (text) => texts.push(text),
      () => undefined, // a reply without a body (a redirect) or one gone with its page
    );
  });
}

/** GET from the page, with its session cookie. */
export async function apiGet<T>(page: Page, path: string): Promise<T> {
  return (await page.evaluate(async (url) => {
    const response = await fetch(url, { headers: { Accept: 'application/json' } });
    return (await response.json()) as unknown;
  }, path)) as T;
}

/**
 * A change through the API from the page, as the web admin sends it (session cookie and the
 * CSRF token it echoes from its cookie); fails with the reply's text when it is refused, else
 * resolves with the reply's JSON (undefined for an empty reply).
 */
export async function apiSend(
  page: Page,
  method: 'POST' | 'PATCH' | 'PUT' | 'DELETE',
  path: string,
  body: unknown,
): Promise<unknown> {
  return page.evaluate(
    async ({ method, path, body }) => {
      const csrf = /(?:^|; )minke_csrf=([^;]*)/.exec(document.cookie)?.[1] ?? '';
      const reply = await fetch(path, {
        method,
        headers: { 'content-type': 'application/json', 'x-csrf-token': csrf },
        body: JSON.stringify(body),
      });
      const text = await reply.text();
      if (!reply.ok) throw new Error(text);
      return text === '' ? undefined : (JSON.parse(text) as unknown);
    },
    { method, path, body },
  );
}
