import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildWeb, launchBrowser, login } from './browser.js';
import { until } from './helpers.js';
import { ADMIN, VIEWER, cli, repoRoot, startServer, webRoot, type MinkeServer } from './harness.js';

const screenshots = join(repoRoot, 'docs/screenshots');
const agentBin = join(repoRoot, 'packages/agent/bin/minke-agent.js');
const NODES = ['web-1.example.com', 'web-2.example.com'] as const;

/** A real `minke-agent run` for one node, its plugin answering from a file the test rewrites. */
interface RunningAgent {
  node: string;
  child: ChildProcess;
  log: () => string;
  setOs(value: object): void;
}

function quoted(word: string): string {
  return `'${word.replace(/'/g, `'"'"'`)}'`;
}

async function startAgent(
  dir: string,
  server: MinkeServer,
  brokerUrl: string,
  node: string,
  os: object,
  extraPlugins: Record<string, string> = {},
): Promise<RunningAgent> {
  const home = join(dir, node);
  const plugins = join(home, 'plugins');
  mkdirSync(plugins, { recursive: true });
  const osFile = join(home, 'os.json');
  const setOs = (value: object) => writeFileSync(osFile, JSON.stringify(value));
  setOs(os);
  writeFileSync(
    join(plugins, 'os.cfg'),
    `[os]\nname = os\ndescription = the OS release\ncommand = cat ${quoted(osFile)}\nresult_format = json\ncommand_alias = get_os\n`,
  );
  // refused by the agent, and shown with its reason on the agents page
  writeFileSync(
    join(plugins, 'broken.cfg'),
    `[broken]\nname = broken\ncommand = true\nresult_format = xml\n`,
  );
  for (const [file, text] of Object.entries(extraPlugins)) writeFileSync(join(plugins, file), text);
  const config = join(home, 'agent.yaml');
  await cli(server.projectDir, [
    'agents',
    'enroll',
    node,
    '--out',
    config,
    '--broker-url',
    brokerUrl,
  ]);
  const child = spawn(
    process.execPath,
    [agentBin, 'run', '--config', config, '--plugins', plugins],
    {
      env: { ...process.env, MINKE_AGENT_SPOOL_DIR: join(home, 'spool') },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let log = '';
  child.stdout?.on('data', (chunk: Buffer) => (log += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (log += chunk.toString()));
  return { node, child, log: () => log, setOs };
}

function stopAgent(agent: RunningAgent, graceMs = 5000): Promise<void> {
  const { child } = agent;
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** GET from the page, with its session cookie. */
async function apiGet<T>(page: Page, path: string): Promise<T> {
  return (await page.evaluate(async (url) => {
    const response = await fetch(url, { headers: { Accept: 'application/json' } });
    return (await response.json()) as unknown;
  }, path)) as T;
}

describe('agents and facts in Chromium', () => {
  let server: MinkeServer;
  let browser: Browser;
  let page: Page;
  let dir: string;
  const agents: RunningAgent[] = [];
  const pageErrors: string[] = [];

  beforeAll(async () => {
    await buildWeb(webRoot);
    server = await startServer();
    dir = mkdtempSync(join(tmpdir(), 'minke-agents-e2e-'));
    // `minke start` says where its embedded broker listens (a free port, here)
    await until(
      () => Promise.resolve(/agents: MQTT broker (mqtt:\/\/\S+)/.test(server.log())),
      'the agent services to start',
      15_000,
    );
    const brokerUrl = /agents: MQTT broker (mqtt:\/\/\S+)/.exec(server.log())?.[1] as string;
    agents.push(
      await startAgent(dir, server, brokerUrl, NODES[0], { release: '12', id: 'debian' }),
      await startAgent(
        dir,
        server,
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
    browser = await launchBrowser();
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    context.setDefaultTimeout(15_000);
    page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    mkdirSync(screenshots, { recursive: true });
    await login(page, server.url, ADMIN);
    await until(
      async () =>
        (await apiGet<{ fleet: { online: number } }>(page, '/api/agents')).fleet.online === 2,
      `both agents online (agent logs: ${agents.map((a) => a.log()).join('\n')})`,
    );
  });

  afterAll(async () => {
    await browser?.close();
    await Promise.all(agents.map((agent) => stopAgent(agent)));
    await server?.stop();
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
    agents[0]?.setOs({ release: '13', codename: 'trixie' });
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
    const context = await browser.newContext();
    const viewer = await context.newPage();
    await login(viewer, server.url, VIEWER);
    await viewer.goto(`${server.url}/#/agents`);
    await viewer.locator(`tr[data-node="${NODES[1]}"]`).getByTestId('agent-state').waitFor();
    expect(await viewer.getByTestId('dispatch-open').count()).toBe(0);
    await context.close();
    expect(pageErrors).toEqual([]);
  });
});
