import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, createToken, type MinkeServer } from './harness.js';
import { keepReplies, startBrowserTest } from './harness-browser.js';

describe('the audit log page (Chromium): who changed what, filtered', () => {
  let server: MinkeServer;
  let page: Page;
  const envReference = 'E2E_AUDIT_SUDO_PASSWORD_VARIABLE';
  const replies: string[] = [];

  beforeAll(async () => {
    const test = await startBrowserTest({ watch: (p) => keepReplies(p, '/api/audit', replies) });
    ({ server, page } = test);
    return test.stop;
  });

  it('shows CLI and API changes with who and from where; the actor filter keeps one user', async () => {
    // A change through the API with a named token: it is the admin's, by that token, from loopback.
    const token = await createToken(server.projectDir, ADMIN.username, 'e2e-bot');
    const created = await fetch(`${server.url}/api/groups`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        name: 'audited',
        config: { sudo: { password: { env: envReference } } },
      }),
    });
    expect(created.status).toBe(201);

    await page.goto(`${server.url}/#/audit`);
    const list = page.getByTestId('audit-list');
    // The demo data was loaded by the CLI: those rows are the operator's.
    await list.getByText('operator (CLI)').first().waitFor();
    const groupRow = list.locator('tbody tr.RaDatagrid-row').filter({ hasText: 'group audited' });
    await groupRow.filter({ hasText: 'token e2e-bot, 127.0.0.1' }).waitFor();
    expect(await groupRow.textContent()).toContain('group.create');

    // Its change, expanded: the secret reference is redacted.
    await groupRow.click();
    const change = page.getByTestId('audit-change');
    await change.waitFor();
    expect(await change.textContent()).toContain('"password": "[secret]"');

    await page.locator('input[name="actor"]').fill(ADMIN.username);
    await page.waitForURL(/actor/);
    await list.getByText('operator (CLI)').first().waitFor({ state: 'detached' });
    const actors = await list.locator('tbody tr.RaDatagrid-row td:nth-child(4)').allTextContents();
    expect(actors.length).toBeGreaterThan(0);
    expect(new Set(actors)).toEqual(new Set([ADMIN.username]));

    for (const reply of replies) expect(reply).not.toContain(envReference);
  });
});
