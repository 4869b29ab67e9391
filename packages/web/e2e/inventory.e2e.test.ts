import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  ADMIN,
  cli,
  createUser,
  makeProject,
  repoRoot,
  startMinke,
  type MinkeServer,
} from './harness.js';
import { startBrowserTest } from './harness-browser.js';

/**
 * Issue 14, item 4 in Chromium: the Inventory sources page lists a CSV source; "Dry run" shows
 * the hosts it would add and change while the hosts stay as they were; "Apply" syncs them, and
 * the page shows the source's last sync.
 */
const screenshots = join(repoRoot, 'docs/screenshots');

describe('inventory sources in the web admin (Chromium)', () => {
  let page: Page;
  const pageErrors: string[] = [];

  /** The project's hosts, through the API with the page's login. */
  const hostNames = async (): Promise<string[]> =>
    page.evaluate(async () => {
      const response = await fetch('/api/hosts?limit=100', { credentials: 'same-origin' });
      const body = (await response.json()) as { items: { name: string }[] };
      return body.items.map((host) => host.name).sort();
    });

  /** The demo project with a CSV inventory source, and a host the CSV changes. */
  async function start(): Promise<MinkeServer> {
    const projectDir = makeProject();
    writeFileSync(
      join(projectDir, 'minke.config.ts'),
      `import { defineConfig, defineInventorySource } from 'minke';
export default defineConfig({
  database: 'sqlite:minke-e2e.db',
  inventory: [defineInventorySource({ name: 'cmdb-export', from: { file: 'hosts.csv' } })],
});
`,
    );
    writeFileSync(
      join(projectDir, 'hosts.csv'),
      'name,hostname,port,user\nweb-1,10.0.0.1,22,deploy\nweb-2,10.0.0.2,,deploy\n',
    );
    await cli(projectDir, ['migrate']);
    await cli(projectDir, ['hosts', 'add', 'web-2', '--hostname', '10.0.0.99']);
    await createUser(projectDir, ADMIN, { superuser: true });
    return await startMinke(projectDir);
  }

  beforeAll(async () => {
    const test = await startBrowserTest({ start, pageErrors });
    ({ page } = test);
    return test.stop;
  });

  it('shows the plan of a dry run, changes nothing, then applies it', async () => {
    await page.getByRole('menuitem', { name: 'Inventory sources' }).click();
    const source = page.locator('[data-source="cmdb-export"]');
    await expect(source.textContent()).resolves.toContain('file: hosts.csv');
    await expect(source.textContent()).resolves.toContain('never');

    await source.getByRole('button', { name: 'Dry run' }).click();
    const plan = page.getByTestId('inventory-plan');
    await plan.getByText('Dry run of cmdb-export').waitFor();
    await expect(plan.getByTestId('plan-summary').textContent()).resolves.toBe(
      '1 to add, 1 to change, 0 to remove, 0 unchanged',
    );
    await expect(plan.locator('[data-plan-row="web-1"]').textContent()).resolves.toContain(
      'deploy@10.0.0.1:22',
    );
    const change = await plan.locator('[data-plan-row="web-2"]').textContent();
    expect(change).toContain('hostname: 10.0.0.99 → 10.0.0.2');
    expect(change).toContain('source: – → cmdb-export');
    expect(await hostNames()).toEqual(['web-2']);
    mkdirSync(screenshots, { recursive: true });
    await page.screenshot({ path: join(screenshots, 'inventory-dry-run.png') });

    await plan.getByRole('button', { name: 'Apply' }).click();
    await plan.getByText('Synced cmdb-export').waitFor();
    expect(await hostNames()).toEqual(['web-1', 'web-2']);
    await source.getByText('+1 ~1 −0').waitFor();
    expect(pageErrors).toEqual([]);
  });
});
