import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildWeb, launchBrowser } from './browser.js';
import { until } from './helpers.js';
import { cli, repoRoot, startServer, webRoot, type MinkeServer } from './harness.js';
import { brokerUrlOf, quoted, startAgent, stopAgent, type RunningAgent } from './harness-agents.js';
import { apiGet, openPage } from './harness-browser.js';

const screenshots = join(repoRoot, 'docs/screenshots');
const NODES = ['web-1.example.com', 'web-2.example.com', 'db-1.example.com'] as const;
const PLUGINS = ['disk', 'os'] as const;

/** An agent whose disk and os plugins answer from files the test rewrites (`set`). */
async function startFileAgent(
  dir: string,
  server: MinkeServer,
  brokerUrl: string,
  node: string,
): Promise<RunningAgent> {
  return await startAgent(dir, server, brokerUrl, node, (home) => {
    const plugins: Record<string, string> = {};
    for (const plugin of PLUGINS) {
      const file = join(home, `${plugin}.json`);
      writeFileSync(file, '{}');
      plugins[`${plugin}.cfg`] =
        `[${plugin}]\nname = ${plugin}\ncommand = cat ${quoted(file)}\nresult_format = json\n`;
    }
    return plugins;
  });
}

/** What the node's plugin answers next. */
function set(agent: RunningAgent | undefined, plugin: (typeof PLUGINS)[number], value: object) {
  if (agent) writeFileSync(join(agent.home, `${plugin}.json`), JSON.stringify(value));
}

/** Whether a CSS colour is light (for text on a dark background). */
function isLightColor(color: string): boolean {
  const [r = 0, g = 0, b = 0] = (color.match(/\d+(\.\d+)?/g) ?? []).map(Number);
  return (r + g + b) / 3 > 150;
}

/**
 * Facts over time in Chromium, from real agents: a host's numeric fact drawn as a line from its
 * history (a version that is not a number left out), and the fleet's distribution of a value
 * on the fact search page, whose bars open the search for their hosts, with the hosts that
 * changed it lately; in light and dark mode.
 */
describe('fact charts in Chromium', () => {
  let server: MinkeServer;
  let browser: Browser;
  let dir: string;
  const agents: RunningAgent[] = [];
  const contexts: BrowserContext[] = [];
  const pageErrors: string[] = [];

  async function open(scheme: 'light' | 'dark'): Promise<Page> {
    const page = await openPage(browser, server.url, { colorScheme: scheme, pageErrors });
    contexts.push(page.context());
    return page;
  }

  /** Each node reports its files' values now, and the server has stored them. */
  async function report(plugin: 'disk' | 'os', nodes: readonly string[]): Promise<void> {
    for (const node of nodes) {
      await cli(server.projectDir, [
        'dispatch',
        plugin,
        '--node',
        node,
        '--wait',
        '--timeout',
        '30',
      ]);
    }
  }

  beforeAll(async () => {
    await buildWeb(webRoot);
    server = await startServer();
    dir = mkdtempSync(join(tmpdir(), 'minke-fact-charts-e2e-'));
    const brokerUrl = await brokerUrlOf(server);
    for (const node of NODES) agents.push(await startFileAgent(dir, server, brokerUrl, node));
    browser = await launchBrowser();
    mkdirSync(screenshots, { recursive: true });
    const page = await open('light');
    await until(
      async () =>
        (await apiGet<{ fleet: { online: number } }>(page, '/api/agents')).fleet.online === 3,
      `the agents online (logs: ${agents.map((a) => a.log()).join('\n')})`,
    );
    // web-1's disk fills up, with one reading that is not a number; kernels move on.
    const [web1, web2, db1] = agents;
    for (const used of [41, 47, 'n/a', 58, 63]) {
      set(web1, 'disk', { root: { used_percent: used, mount: '/' } });
      await report('disk', [NODES[0]]);
    }
    set(web1, 'os', { kernel: '6.1.0-17' });
    set(web2, 'os', { kernel: '6.1.0-17' });
    set(db1, 'os', { kernel: '6.1.0-17' });
    await report('os', NODES);
    set(web1, 'os', { kernel: '6.1.0-18' });
    set(web2, 'os', { kernel: '6.1.0-18' });
    await report('os', [NODES[0], NODES[1]]);
  });

  afterAll(async () => {
    for (const context of contexts) await context.close().catch(() => undefined);
    await browser?.close();
    await Promise.all(agents.map((agent) => stopAgent(agent)));
    await server?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("draws a host's numeric fact over time, in light and dark mode", async () => {
    for (const scheme of ['light', 'dark'] as const) {
      const page = await open(scheme);
      const host = await apiGet<{ id: number }>(page, `/api/hosts/${NODES[0]}`);
      await page.goto(`${server.url}/#/Host/${host.id}/show/facts`);
      const disk = page.locator('[data-testid="plugin-fact"][data-plugin="disk"]');
      await disk.getByRole('button', { name: 'Chart' }).click();
      const chart = disk.getByTestId('fact-series-chart');
      await chart.waitFor();
      expect(await chart.getAttribute('data-path')).toBe('root.used_percent');
      // 41, 47, 58, 63: four changes; "n/a" left out and said so
      expect(await chart.getAttribute('data-points')).toBe('4');
      expect(await chart.getAttribute('data-skipped')).toBe('1');
      expect(await disk.getByTestId('series-skipped').textContent()).toContain(
        '1 version left out: missing or not a number',
      );
      const svg = chart.locator('svg:has(text)').first();
      await svg.locator('path').first().waitFor();
      // both axes are labelled, and their labels are readable on the page's background
      const texts = await svg.locator('text').allTextContents();
      expect(texts).toContain('collected');
      expect(texts).toContain('root.used_percent');
      const label = svg.locator('text', { hasText: 'collected' }).first();
      const fill = await label.evaluate((el) => getComputedStyle(el).fill);
      expect(isLightColor(fill)).toBe(scheme === 'dark');
      await disk.scrollIntoViewIfNeeded();
      await disk.screenshot({
        path: join(screenshots, scheme === 'light' ? 'fact-chart.png' : 'fact-chart-dark.png'),
      });
    }
    expect(pageErrors).toEqual([]);
  });

  it('charts the fleet distribution of a searched path, each bar opening its hosts', async () => {
    const page = await open('light');
    await page.goto(`${server.url}/#/fact-search`);
    await page.getByTestId('fact-where').fill('facts.os.kernel exists');
    await page.getByRole('button', { name: 'Search' }).click();
    const distribution = page.getByTestId('fact-distribution');
    await distribution.waitFor();
    expect(await distribution.getAttribute('data-path')).toBe('facts.os.kernel');
    expect(await distribution.getAttribute('data-bars')).toBe('2');
    const svg = distribution.locator('svg:has(text)').first();
    await svg.locator('text', { hasText: '6.1.0-18' }).first().waitFor();
    expect(await svg.locator('text').allTextContents()).toEqual(
      expect.arrayContaining(['6.1.0-18', '6.1.0-17', 'hosts']),
    );
    // the hosts that moved to 6.1.0-18 in the last 7 days
    const changes = page.getByTestId('fact-changes-list');
    await changes.locator('tbody tr').first().waitFor();
    expect(
      await changes
        .locator('tbody tr')
        .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-host')).sort()),
    ).toEqual([NODES[0], NODES[1]]);
    expect(await changes.locator('tbody tr').first().locator('[data-before]').textContent()).toBe(
      '6.1.0-17',
    );
    await page.screenshot({ path: join(screenshots, 'fact-distribution.png'), fullPage: true });

    // A click on the bar of 6.1.0-18 (the commonest, drawn first) filters the search to it.
    await distribution.locator('.MuiBarChart-element').first().click();
    await until(
      () =>
        Promise.resolve(decodeURIComponent(page.url()).includes('facts.os.kernel = "6.1.0-18"')),
      'the search for 6.1.0-18',
    );
    const results = page.getByTestId('fact-results');
    const hostsListed = () =>
      results
        .locator('tbody tr')
        .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-host')).join(' '));
    // the table keeps the last reply while the next one loads: wait for the filtered one
    await until(
      async () => (await hostsListed()) === `${NODES[0]} ${NODES[1]}`,
      'the hosts on 6.1.0-18',
    );
    // and the chip of 6.1.0-17 does the same from the keyboard's reach
    await page.getByTestId('fact-distribution').locator('[data-value="6.1.0-17"]').click();
    await until(async () => (await hostsListed()) === NODES[2], 'the host on 6.1.0-17');

    // In dark mode the bars' axis labels stay readable.
    const dark = await open('dark');
    await dark.goto(
      `${server.url}/#/fact-search?where=${encodeURIComponent('facts.os.kernel exists')}`,
    );
    const darkChart = dark.getByTestId('fact-distribution').locator('svg:has(text)').first();
    const axisLabel = darkChart.locator('text', { hasText: 'hosts' }).first();
    await axisLabel.waitFor();
    expect(isLightColor(await axisLabel.evaluate((el) => getComputedStyle(el).fill))).toBe(true);
    const valueLabel = darkChart.locator('text', { hasText: '6.1.0-17' }).first();
    expect(isLightColor(await valueLabel.evaluate((el) => getComputedStyle(el).fill))).toBe(true);
    await dark.getByTestId('fact-path-overview').screenshot({
      path: join(screenshots, 'fact-distribution-dark.png'),
    });
    expect(pageErrors).toEqual([]);
  });
});
