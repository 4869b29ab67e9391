import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { until } from './helpers.js';
import { VIEWER, cli, repoRoot, type MinkeServer } from './harness.js';
import { brokerUrlOf, quoted, startAgent, stopAgent, type RunningAgent } from './harness-agents.js';
import {
  apiGet,
  apiSend,
  openPage,
  startBrowserTest,
  type BrowserTest,
} from './harness-browser.js';

const screenshots = join(repoRoot, 'docs/screenshots');
const NODES = ['web-1.example.com', 'web-2.example.com'] as const;

/** What the node's os plugin answers next (it reads a file the test rewrites). */
function setOs(agent: RunningAgent, value: object): void {
  writeFileSync(join(agent.home, 'os.json'), JSON.stringify(value));
}

/** An agent whose os plugin answers `os`, with a plugin the agent refuses, and `extraPlugins`. */
async function startOsAgent(
  dir: string,
  server: MinkeServer,
  brokerUrl: string,
  node: string,
  os: object,
  extraPlugins: Record<string, string> = {},
): Promise<RunningAgent> {
  return await startAgent(dir, server, brokerUrl, node, (home) => {
    const osFile = join(home, 'os.json');
    writeFileSync(osFile, JSON.stringify(os));
    return {
      'os.cfg': `[os]\nname = os\ndescription = the OS release\ncommand = cat ${quoted(osFile)}\nresult_format = json\ncommand_alias = get_os\n`,
      // refused by the agent, and shown with its reason on the agents page
      'broken.cfg': `[broken]\nname = broken\ncommand = true\nresult_format = xml\n`,
      ...extraPlugins,
    };
  });
}

describe('agents and facts in Chromium', () => {
  let server: MinkeServer;
  let browser: Browser;
  let page: Page;
  let test: BrowserTest | undefined;
  let dir: string;
  const agents: RunningAgent[] = [];
  const pageErrors: string[] = [];

  /** Two agents on the running server, one with a plugin whose result is over the quota. */
  async function startAgents(started: MinkeServer): Promise<void> {
    dir = mkdtempSync(join(tmpdir(), 'minke-agents-e2e-'));
    // `minke start` says where its embedded broker listens (a free port, here)
    const brokerUrl = await brokerUrlOf(started);
    agents.push(
      await startOsAgent(dir, started, brokerUrl, NODES[0], { release: '12', id: 'debian' }),
      await startOsAgent(
        dir,
        started,
        brokerUrl,
        NODES[1],
        { release: '11', id: 'debian' },
        {
          // a result over the server's 1 MiB quota (the file sorts after os.cfg: os stays first)
          'zz-large.cfg': `[large]\nname = large\ncommand = ${quoted(process.execPath)} -e ${quoted(
            'process.stdout.write(JSON.stringify("x".repeat(1200000)))',
          )}\nresult_format = json\nmax_output = 4M\n`,
        },
      ),
    );
  }

  beforeAll(async () => {
    test = await startBrowserTest({ prepare: startAgents, pageErrors });
    ({ server, browser, page } = test);
    mkdirSync(screenshots, { recursive: true });
    await until(
      async () =>
        (await apiGet<{ fleet: { online: number } }>(page, '/api/agents')).fleet.online === 2,
      `both agents online (agent logs: ${agents.map((a) => a.log()).join('\n')})`,
    );
  });

  afterAll(async () => {
    await Promise.all(agents.map((agent) => stopAgent(agent)));
    await test?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('counts the agents online on the dashboard, and charts them over the week', async () => {
    await page.goto(`${server.url}/#/`);
    const panel = page.getByTestId('dash-agents');
    await panel.getByText('2 / 2').waitFor();
    expect(await panel.textContent()).toContain('agents online');
    // the presence history: none online a week ago, both now (the chart's last point)
    const { agents: figures } = await apiGet<{
      agents: { overTime: { at: string; online: number }[] };
    }>(page, '/api/dashboard');
    expect(figures.overTime).toHaveLength(7 * 24 + 1);
    expect(figures.overTime[0]?.online).toBe(0);
    expect(figures.overTime.at(-1)?.online).toBe(2);
    await panel.locator('.MuiLineChart-line').first().waitFor();
    await panel.screenshot({ path: join(screenshots, 'dashboard-agents.png') });
  });

  it('lists the nodes online, with their plugins and the file they refused', async () => {
    await page.goto(`${server.url}/#/agents`);
    const row = page.locator(`tr[data-node="${NODES[0]}"]`);
    await row.getByTestId('agent-state').getByText('online').waitFor();
    expect(await row.getByTestId('agent-state').getAttribute('data-online')).toBe('true');
    await row.locator('[data-plugin="os"]').waitFor();
    // Vogeler's command_alias, as the agent's presence reports it
    expect(await row.locator('[data-plugin="os"]').textContent()).toBe('os (get_os)');
    expect(await row.getByTestId('rejected-plugin').textContent()).toMatch(
      /broken\.cfg: .*unknown result_format \(line 4; known: /,
    );
    expect(await row.getByTestId('last-seen').textContent()).toMatch(/just now|ago/);
    expect(await page.getByTestId('agents-summary').textContent()).toBe('2 / 2 online');
  });

  it('dispatches a plugin to every agent and shows each node answer', async () => {
    await page.getByTestId('dispatch-open').click();
    const dialog = page.getByTestId('dispatch-dialog');
    await dialog.getByText('Every agent').click();
    await page.getByTestId('dispatch-send').click();
    for (const node of NODES) {
      await dialog.locator(`[data-node="${node}"] [data-state="answered"]`).waitFor({
        timeout: 30_000,
      });
    }
    await dialog.getByRole('button', { name: 'Close' }).click();
    await page.screenshot({ path: join(screenshots, 'agents.png') });
  });

  it('shows the last result the server refused from a node, and why', async () => {
    await cli(server.projectDir, ['dispatch', 'large', '--node', NODES[1]]);
    type AgentList = { items: { node: string; lastRefusal: { reason: string } | null }[] };
    await until(
      async () =>
        (await apiGet<AgentList>(page, '/api/agents')).items.some(
          (agent) => agent.node === NODES[1] && agent.lastRefusal !== null,
        ),
      'the refusal of the large result',
      30_000,
    );
    await page.goto(`${server.url}/#/agents`);
    await page.reload(); // the page may be open already, with the list read before the refusal
    const refusal = page.locator(`tr[data-node="${NODES[1]}"]`).getByTestId('last-refusal');
    await refusal.waitFor();
    expect(await refusal.textContent()).toMatch(
      /(just now|ago): result is \d+ bytes, more than the server's limit of 1048576 \(agents\.maxResultBytes\)/,
    );
    expect(
      await page.locator(`tr[data-node="${NODES[0]}"]`).getByTestId('last-refusal').count(),
    ).toBe(0);
    // The agent was told, and dropped it rather than sending it again.
    await until(
      () =>
        Promise.resolve(
          agents[1]?.log().includes('result refused by the server; dropped') === true,
        ),
      'the agent to log the refusal',
    );
  });

  it("shows a host's facts, then the diff after the fact changed", async () => {
    const host = await apiGet<{ id: number }>(page, `/api/hosts/${NODES[0]}`);
    await page.goto(`${server.url}/#/Host/${host.id}/show/facts`);
    const os = page.locator('[data-testid="plugin-fact"][data-plugin="os"]');
    await os.locator('[data-path="release"]').getByText('"12"').waitFor();
    expect(await os.getByTestId('collected-at').textContent()).toMatch(
      /collected (just now|.*ago)/,
    );

    // the node's OS changes; one more request, from the node's own Dispatch button
    if (agents[0]) setOs(agents[0], { release: '13', codename: 'trixie' });
    await page.goto(`${server.url}/#/agents`);
    await page
      .locator(`tr[data-node="${NODES[0]}"]`)
      .getByRole('button', { name: 'Dispatch' })
      .click();
    const dialog = page.getByTestId('dispatch-dialog');
    await page.getByTestId('dispatch-send').click();
    await dialog.locator(`[data-node="${NODES[0]}"] [data-state="answered"]`).waitFor({
      timeout: 30_000,
    });
    await dialog.getByRole('button', { name: 'Close' }).click();

    await page.goto(`${server.url}/#/Host/${host.id}/show/facts`);
    await os.locator('[data-path="release"]').getByText('"13"').waitFor();
    await os.getByRole('button', { name: 'History' }).click();
    const versions = os.getByTestId('fact-version');
    await until(async () => (await versions.count()) === 2, 'two versions in the history');
    const newest = versions.first();
    const changed = newest.locator('[data-change="changed"][data-path="release"]');
    expect(await changed.textContent()).toBe('~ release: "12" → "13"');
    expect(await changed.evaluate((el) => getComputedStyle(el).backgroundColor)).toBe(
      'rgb(255, 233, 179)', // amber
    );
    const added = newest.locator('[data-change="added"][data-path="codename"]');
    expect(await added.textContent()).toBe('+ codename: "trixie"');
    expect(await added.evaluate((el) => getComputedStyle(el).backgroundColor)).toBe(
      'rgb(223, 240, 216)', // green
    );
    const removed = newest.locator('[data-change="removed"][data-path="id"]');
    expect(await removed.textContent()).toBe('− id: "debian"');
    expect(await removed.evaluate((el) => getComputedStyle(el).backgroundColor)).toBe(
      'rgb(242, 222, 222)', // red
    );
    expect(await versions.last().textContent()).toContain('First version.');
    await newest.getByRole('button', { name: 'Show value' }).click();
    await newest.locator('[data-change="changed"][data-path="release"]').nth(1).waitFor();
    await page.screenshot({ path: join(screenshots, 'facts.png'), fullPage: true });
  });

  it("pages a fact's history by cursor, forward and back", async () => {
    const host = await apiGet<{ id: number }>(page, `/api/hosts/${NODES[0]}`);
    const historyPath = `/api/hosts/${NODES[0]}/facts/history?plugin=os&limit=1`;
    const versionsNow = async () => (await apiGet<{ total: number }>(page, historyPath)).total;
    // Six more versions of the os fact, back to 13 at the end, which the tests below expect.
    for (const release of ['14', '15', '16', '17', '18', '13']) {
      const before = await versionsNow();
      if (agents[0]) setOs(agents[0], { release, codename: 'trixie' });
      await apiSend(page, 'POST', '/api/dispatch', { plugin: 'os', nodes: [NODES[0]] });
      await until(async () => (await versionsNow()) > before, `version ${release} stored`);
    }
    const total = await versionsNow();
    expect(total).toBeGreaterThanOrEqual(6);

    // Away and back, so that the facts tab opens anew (its history closed).
    await page.goto(`${server.url}/#/agents`);
    await page.goto(`${server.url}/#/Host/${host.id}/show/facts`);
    const os = page.locator('[data-testid="plugin-fact"][data-plugin="os"]');
    await os.getByRole('button', { name: 'History' }).click();
    const history = os.getByTestId('fact-history');
    const versions = history.getByTestId('fact-version');
    await versions.first().waitFor();
    await history.getByRole('combobox').click(); // rows per page
    await page.getByRole('option', { name: '5', exact: true }).click();
    await until(async () => (await versions.count()) === 5, 'five versions on the page');
    const newestChange = '~ release: "18" → "13"';
    expect(await versions.first().textContent()).toContain(newestChange);

    // The next page is asked for by the last version shown, not by an offset.
    const asked = page.waitForRequest((request) => request.url().includes('/facts/history?'));
    await history.getByRole('button', { name: 'Go to next page' }).click();
    const nextUrl = new URL((await asked).url());
    expect(nextUrl.searchParams.get('before')).toBeTruthy();
    expect(nextUrl.searchParams.has('offset')).toBe(false);
    await until(
      async () => (await versions.count()) === Math.min(5, total - 5),
      'the second page of versions',
    );
    expect(await history.textContent()).toContain(`6–${Math.min(10, total)} of ${total}`);
    expect(await versions.last().textContent()).toContain('First version.');

    await history.getByRole('button', { name: 'Go to previous page' }).click();
    await until(
      async () => (await versions.first().textContent())?.includes(newestChange) === true,
      'the first page again',
    );
    expect(await versions.count()).toBe(5);
  });

  it("going to another host's facts shows nothing of the last host's while its reply loads", async () => {
    const first = await apiGet<{ id: number }>(page, `/api/hosts/${NODES[0]}`);
    const second = await apiGet<{ id: number }>(page, `/api/hosts/${NODES[1]}`);
    await page.goto(`${server.url}/#/Host/${first.id}/show/facts`);
    const facts = page.getByTestId('host-facts');
    const os = facts.locator('[data-testid="plugin-fact"][data-plugin="os"]');
    await os.locator('[data-path="release"]').getByText('"13"').first().waitFor();

    // The second host's facts are held back until the page has been looked at.
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    let asked: () => void = () => undefined;
    const askedFor = new Promise<void>((resolve) => (asked = resolve));
    const factsOfSecond = `**/api/hosts/${encodeURIComponent(NODES[1])}/facts`;
    await page.route(factsOfSecond, async (route) => {
      asked();
      await held;
      await route.continue();
    });
    await page.goto(`${server.url}/#/Host/${second.id}/show/facts`);
    // The tab has rendered for the second host (it asks for its facts after rendering).
    await askedFor;
    await page.getByTestId('host-facts-loading').waitFor();
    expect(await facts.count()).toBe(0);
    expect(await page.getByText('"13"').count()).toBe(0);
    release();
    await os.locator('[data-path="release"]').getByText('"11"').first().waitFor();
    expect(await page.getByText('"13"').count()).toBe(0);
    await page.unroute(factsOfSecond);
  });

  it('searches the fleet by fact and filters to the matching hosts', async () => {
    await page.goto(`${server.url}/#/fact-search`);
    await page.getByTestId('fact-where').fill('facts.os.release = "13"');
    await page.getByRole('button', { name: 'Search' }).click();
    const results = page.getByTestId('fact-results');
    await results.locator(`tr[data-host="${NODES[0]}"]`).waitFor();
    expect(await results.locator('tbody tr').count()).toBe(1);
    expect(
      await results
        .locator(`tr[data-host="${NODES[0]}"] [data-path="facts.os.release"]`)
        .textContent(),
    ).toBe('13');

    await page.getByTestId('fact-where').fill('facts.os.release >= 11');
    await page.getByRole('button', { name: 'Search' }).click();
    await results.locator(`tr[data-host="${NODES[1]}"]`).waitFor();
    expect(await results.locator('tbody tr').allTextContents()).toEqual([
      expect.stringContaining('13') as string,
      expect.stringContaining('11') as string,
    ]);

    await page.getByTestId('fact-where').fill('facts.os.release =');
    await page.getByRole('button', { name: 'Search' }).click();
    await page
      .getByRole('alert')
      .getByText(/expected a value/i)
      .waitFor();
  });

  it('lets a viewer see agents but not dispatch', async () => {
    const viewer = await openPage(browser, server.url, { user: VIEWER });
    await viewer.goto(`${server.url}/#/agents`);
    await viewer.locator(`tr[data-node="${NODES[1]}"]`).getByTestId('agent-state').waitFor();
    expect(await viewer.getByTestId('dispatch-open').count()).toBe(0);
    await viewer.context().close();
    expect(pageErrors).toEqual([]);
  });

  it("opens an agent's page from its node name, and keeps its facts once its host is gone", async () => {
    await page.goto(`${server.url}/#/agents`);
    // The node's own cell (the first; the host's cell links to the host, of the same name here).
    await page
      .locator(`tr[data-node="${NODES[1]}"]`)
      .getByRole('link', { name: NODES[1] })
      .first()
      .click();
    await page.waitForURL(`**/#/agents/${NODES[1]}`);
    const agentPage = page.getByTestId('agent-page');
    await agentPage.getByTestId('agent-host').getByRole('link', { name: NODES[1] }).waitFor();
    const os = agentPage.locator('[data-testid="plugin-fact"][data-plugin="os"]');
    await os.locator('[data-path="release"]').getByText('"11"').waitFor();

    // The host goes; the node keeps reporting, and its page still shows what it reported.
    await cli(server.projectDir, ['hosts', 'remove', NODES[1]]);
    await page.reload();
    await agentPage.getByTestId('agent-host').getByText(`no host named ${NODES[1]} yet`).waitFor();
    await os.locator('[data-path="release"]').getByText('"11"').waitFor();
    expect(await os.getByRole('button', { name: 'Chart' }).count()).toBe(0); // a series is a host's
    await os.getByRole('button', { name: 'History' }).click();
    await os.getByTestId('fact-version').first().waitFor();
    expect(await os.getByTestId('fact-version').count()).toBe(1);
    expect(await os.getByTestId('fact-version').first().textContent()).toContain('First version.');
    await page.screenshot({ path: join(screenshots, 'agent-page.png'), fullPage: true });

    // Another node's address, from this page: its own answer, nothing of the last node's.
    await page.goto(`${server.url}/#/agents/nosuch-node`);
    await agentPage.getByText('no agent for node nosuch-node').first().waitFor();
    expect(await agentPage.getByTestId('plugin-fact').count()).toBe(0);
    expect(await agentPage.getByTestId('agent-host').count()).toBe(0);

    await page.goto(`${server.url}/#/agents`);
    await page.locator(`tr[data-node="${NODES[1]}"]`).getByText('no host').waitFor();
    expect(pageErrors).toEqual([]);
  });
});
