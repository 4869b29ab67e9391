import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { until } from './helpers.js';
import {
  ADMIN,
  createUser,
  loadDemo,
  makeProject,
  repoRoot,
  startMinke,
  type MinkeServer,
} from './harness.js';
import { apiGet, startBrowserTest } from './harness-browser.js';

const screenshots = join(repoRoot, 'docs/screenshots');

/** A session whose form takes its choices from the CMDB, and a policy on host fields. */
const SESSIONS = `import { Session, fromField, fromModel, z } from 'minke';
import { App } from './models.js';

const form = z.object({
  app: z.number().int().meta({ choices: fromModel(App, { label: 'name' }) }),
  roles: z.array(z.string()).min(1).meta({ choices: fromField('role') }),
});

export class PickFromCmdb extends Session<typeof form> {
  static override workOn = ['Server'];
  static override form = form;
  override async process() {
    await this.addMsg('picked ' + JSON.stringify(this.data));
  }
}
`;

const CONFIG = `import { defineConfig, definePolicy } from 'minke';
import { App, Module, Server } from './models.js';
import { HealthCheck, ServerInfo } from './sessions.js';
import { PickFromCmdb } from './cmdb-sessions.js';

export default defineConfig({
  database: 'sqlite:minke-e2e.db',
  models: [Server, App, Module],
  sessions: [ServerInfo, HealthCheck, PickFromCmdb],
  policies: [
    definePolicy({
      name: 'standard-ssh-port',
      description: 'SSH on the default port',
      where: 'port is null or port = 22',
    }),
  ],
  pluginsDir: 'plugins',
});
`;

describe('choices from the CMDB and policies in Chromium', () => {
  let url: string;
  let page: Page;
  const pageErrors: string[] = [];

  /** The demo project with the CMDB-choice session and the policy, and its admin. */
  async function start(): Promise<MinkeServer> {
    const projectDir = makeProject();
    writeFileSync(join(projectDir, 'cmdb-sessions.ts'), SESSIONS);
    writeFileSync(join(projectDir, 'minke.config.ts'), CONFIG);
    await loadDemo(projectDir);
    await createUser(projectDir, ADMIN, { superuser: true });
    return await startMinke(projectDir);
  }

  beforeAll(async () => {
    const test = await startBrowserTest({ start, pageErrors });
    url = test.server.url;
    page = test.page;
    return test.stop;
  });

  it('renders choice fields as searchable selects with counts, and runs with the picked values', async () => {
    await page.goto(`${url}/#/Server`);
    await page.locator('thead input[type="checkbox"]').check();
    await page.getByTestId('run-session').click();
    await page.locator('#session-picker').click();
    await page.locator('li[data-session="PickFromCmdb"]').click();
    const app = page.getByTestId('choice-field-app');
    await app.waitFor();
    // Search: typing narrows the apps to the matching ones.
    await app.locator('input').fill('sh');
    const options = page.locator('[role="listbox"] [role="option"]');
    await until(async () => (await options.allTextContents()).join('|') === 'shop', 'the search');
    await options.first().click();
    // Multi-select with counts: how many of the 4 selected servers have each role.
    const roles = page.getByTestId('choice-field-roles');
    await roles.locator('input').click();
    await until(async () => (await options.count()) === 3, 'the role choices');
    expect(await options.allTextContents()).toEqual([
      'web — on 2 of 4',
      'db — on 1 of 4',
      'other — on 1 of 4',
    ]);
    await options.filter({ hasText: 'web' }).click();
    await options.filter({ hasText: 'db' }).click();
    await page.keyboard.press('Escape');
    expect(await roles.locator('.MuiChip-root').allTextContents()).toEqual(['web', 'db']);
    await page.getByTestId('run-start').click();
    await page.getByTestId('run-dialog').waitFor({ state: 'hidden' });
    const runs = await apiGet<{ items: { id: number; session: string }[] }>(
      page,
      '/api/runs?limit=5',
    );
    const listed = runs.items.find((r) => r.session === 'PickFromCmdb');
    const run = await apiGet<{ data: unknown }>(page, `/api/runs/${listed?.id}`);
    const apps = await apiGet<{ items: { id: number; name: string }[] }>(
      page,
      '/api/records/App?limit=50',
    );
    const shop = apps.items.find((a) => a.name === 'shop');
    expect(run.data).toEqual({ app: shop?.id, roles: ['web', 'db'] });
    expect(pageErrors).toEqual([]);
  });

  it('shows policies with counts and a chart, failing hosts, and runs a session on them', async () => {
    await page.goto(`${url}/#/policies`);
    const row = page.locator('[data-testid="policy-list"] tr[data-policy="standard-ssh-port"]');
    await row.waitFor();
    // localhost and local-a/b/c have no port (22); web-1, web-2 and db-1 listen elsewhere.
    expect(await row.locator('[data-count="passing"]').textContent()).toBe('4');
    expect(await row.locator('[data-count="failing"]').textContent()).toBe('3');
    const chart = page.getByTestId('compliance-chart');
    await chart.waitFor();
    expect(await chart.getAttribute('data-points')).toBe('30');
    expect(await chart.locator('svg path').count()).toBeGreaterThan(0);
    await row.getByRole('link', { name: 'standard-ssh-port' }).click();
    const failing = page.getByTestId('failing-hosts');
    await failing.waitFor();
    expect(
      await failing
        .locator('tbody tr')
        .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-host'))),
    ).toEqual(['db-1.example.com', 'web-1.example.com', 'web-2.example.com']);
    // Untick db-1, then "Run session on these": the run dialog on the two others.
    await failing.locator('tr[data-host="db-1.example.com"] input[type="checkbox"]').uncheck();
    await page.getByTestId('remediate').click();
    await page.locator('#session-picker').click();
    await page.locator('li[data-session="HealthCheck"]').click();
    await page.getByTestId('run-start').click();
    await until(() => Promise.resolve(/#\/runs\/\d+\/show/.test(page.url())), 'the run page');
    const id = /#\/runs\/(\d+)\/show/.exec(page.url())?.[1];
    const run = await apiGet<{ session: string; sessions: { hostName: string | null }[] }>(
      page,
      `/api/runs/${id}`,
    );
    expect(run.session).toBe('HealthCheck');
    expect(run.sessions.map((s) => s.hostName).sort()).toEqual([
      'web-1.example.com',
      'web-2.example.com',
    ]);
    expect(pageErrors).toEqual([]);
  });

  it('downloads every record the filters match as CSV, refs named, from Export CSV', async () => {
    const filter = encodeURIComponent(JSON.stringify({ kind: 'drupal' }));
    await page.goto(`${url}/#/App?filter=${filter}&sort=name&order=DESC`);
    const button = page.getByTestId('export-csv');
    await until(
      async () => ((await button.getAttribute('href')) ?? '').includes('where='),
      'the export link with the filter',
    );
    expect(await button.getAttribute('href')).toBe(
      '/api/records/App/export.csv?where=kind+%3D+%22drupal%22&order=-name',
    );
    const [download] = await Promise.all([page.waitForEvent('download'), button.click()]);
    expect(download.suggestedFilename()).toMatch(/^App-\d{4}-\d{2}-\d{2}\.csv$/);
    const lines = readFileSync(await download.path(), 'utf8')
      .trimEnd()
      .split('\n');
    expect(lines[0]).toBe('id,server,name,kind,version,root,created_at,updated_at');
    // The list's order (name, descending); the server named as the list names it, not its id.
    expect(lines.slice(1).map((line) => line.split(',').slice(1, 4))).toEqual([
      [expect.stringMatching(/\(Server #\d+\)$/) as unknown, 'shop', 'drupal'],
      [expect.stringMatching(/\(Server #\d+\)$/) as unknown, 'intranet', 'drupal'],
    ]);
    expect(pageErrors).toEqual([]);
  });
  it('imports a CSV from Import CSV: checks every row first, then adds and changes', async () => {
    const apps = await apiGet<{ items: { id: number; name: string; server: number }[] }>(
      page,
      '/api/records/App?where=name%20%3D%20shop',
    );
    const shop = apps.items[0];
    if (!shop) throw new Error('the demo has no shop app');
    await page.goto(`${url}/#/App`);
    await page.getByTestId('import-csv').click();
    const file = page.getByTestId('import-csv-file');

    // A file larger than an import takes: said at once, nothing sent.
    await file.setInputFiles({
      name: 'big.csv',
      mimeType: 'text/csv',
      buffer: Buffer.alloc(33 * 1024 * 1024, 'a\n'),
    });
    await page.getByText('big.csv: 33 MiB; an import takes 32 MiB at most').waitFor();

    // A file with bad rows: each named by its line, and nothing to import.
    await file.setInputFiles({
      name: 'bad.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from('server,name,kind\nnowhere,x,drupal\n1,y,cobol\n'),
    });
    const errors = page.getByTestId('import-csv-errors');
    await errors.waitFor();
    expect(await errors.innerText()).toMatch(
      /bad\.csv: nothing imported: 2 row\(s\) with errors\s+line 2: server: no Server named "nowhere".*\s+line 3: .*kind/s,
    );
    expect(await page.getByTestId('import-csv-apply').isDisabled()).toBe(true);

    // The shop's version changed, and a new app on the same server by the label the list shows.
    const csv = `id,server,name,kind,version\n${shop.id},${shop.server},shop,drupal,10.9.1\n,Server #${shop.server},newsite,wordpress,6.6\n`;
    await file.setInputFiles({ name: 'apps.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    const preview = page.getByTestId('import-csv-preview');
    await preview.waitFor();
    const text = await preview.innerText();
    expect(text).toContain('1 to add');
    expect(text).toContain('1 to change');
    expect(text).toMatch(/version: [^\n]+ → 10\.9\.1/);
    expect(text).toMatch(/name: newsite; kind: wordpress; version: 6\.6/);
    await page.screenshot({ path: join(screenshots, 'import-csv.png'), animations: 'disabled' });
    // Checked only: nothing written yet.
    expect(
      (await apiGet<{ total: number }>(page, '/api/records/App?where=name%20%3D%20newsite')).total,
    ).toBe(0);

    // The connection lost during the import: the dialog says what stands and what to do.
    await page.route('**/api/records/App/import', (route) => route.abort('connectionreset'));
    await page.getByTestId('import-csv-apply').click();
    await page
      .getByText(
        /no answer from the server .*the rows it wrote stay written: choose the file again/,
      )
      .waitFor();
    await page.unroute('**/api/records/App/import');
    await file.setInputFiles({ name: 'apps.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await preview.waitFor();

    await page.getByTestId('import-csv-apply').click();
    await page.getByText('Imported apps.csv: 1 added, 1 changed, 0 unchanged').waitFor();
    // The list (still filtered to drupal by the test before) shows the shop's new version.
    await page.getByRole('cell', { name: '10.9.1' }).waitFor();
    const after = await apiGet<{ items: { name: string; version: string | null }[] }>(
      page,
      '/api/records/App?where=name%20in%20(shop,%20newsite)&order=name',
    );
    expect(after.items.map((app) => [app.name, app.version])).toEqual([
      ['newsite', '6.6'],
      ['shop', '10.9.1'],
    ]);
    expect(pageErrors).toEqual([]);
  });

  it("shows an object's changes: who, when, through what, each field before → after", async () => {
    const shop = (
      await apiGet<{ items: { id: number }[] }>(page, '/api/records/App?where=name%20%3D%20shop')
    ).items[0];
    if (!shop) throw new Error('the demo has no shop app');
    // An edit in the browser, after the import of the test before. The form first shows the
    // record the list cached, then the one it reads afresh: what is typed before that second
    // read comes in stays. The read is held back until the typing is done.
    await page.goto(`${url}/#/App`);
    await page.getByText('shop', { exact: true }).first().waitFor();
    let releaseRead = () => {};
    const readHeld = new Promise<void>((resolve) => (releaseRead = resolve));
    const recordPath = `/api/records/App/${shop.id}`;
    const isRecord = (address: URL) => address.pathname === recordPath;
    await page.route(isRecord, async (route) => {
      if (route.request().method() === 'GET') await readHeld;
      await route.continue();
    });
    const fresh = page.waitForResponse(
      (response) =>
        response.request().method() === 'GET' && new URL(response.url()).pathname === recordPath,
    );
    await page.goto(`${url}/#/App/${shop.id}`);
    const version = page.locator('input[name="version"]');
    await version.fill('10.9.2');
    releaseRead();
    await (await fresh).finished();
    await page.unroute(isRecord);
    // Two frames after the body came: React has drawn the fresh record and refilled the form.
    await page.evaluate(
      () => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))),
    );
    const save = page.getByRole('button', { name: 'Save' });
    await until(() => save.isEnabled(), 'the edited version to be saveable');
    expect(await version.inputValue()).toBe('10.9.2');
    await save.click();
    await page.getByText('Element updated').waitFor();

    await page.goto(`${url}/#/App/${shop.id}/show/changes`);
    const rows = page.getByTestId('record-changes').locator('tbody tr');
    await until(async () => (await rows.count()) >= 3, 'three changes of the shop');
    const newest = rows.nth(0);
    expect(await newest.getAttribute('data-action')).toBe('record.update');
    const cells = await newest.locator('td').allInnerTexts();
    expect(cells.slice(1, 4)).toEqual(['admin', 'web session', 'record.update']);
    const field = newest.locator('li[data-field="version"]');
    expect(await field.getAttribute('data-kind')).toBe('changed');
    expect(await field.innerText()).toBe('~ version: 10.9.1 → 10.9.2');
    // The import's change before it, and the demo's load that made the app, with its server a link.
    expect(await rows.nth(1).locator('li[data-field="version"]').innerText()).toMatch(
      /→ 10\.9\.1$/,
    );
    const created = rows.last();
    expect(await created.getAttribute('data-action')).toBe('record.create');
    expect(await created.locator('li[data-field="name"]').getAttribute('data-kind')).toBe('added');
    const server = created.locator('li[data-field="server"] a');
    expect(await server.getAttribute('href')).toMatch(/^#\/Server\/\d+\/show$/);
    await page.screenshot({
      path: join(screenshots, 'record-changes.png'),
      animations: 'disabled',
    });
    expect(pageErrors).toEqual([]);
  });
});
