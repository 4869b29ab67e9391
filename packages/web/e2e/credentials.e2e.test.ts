import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { row } from './helpers.js';
import { ADMIN, type MinkeServer } from './harness.js';
import { keepReplies, startBrowserTest } from './harness-browser.js';

describe('credentials in the web admin (Chromium): written, listed, never shown', () => {
  let server: MinkeServer;
  let page: Page;
  const keyDir = mkdtempSync(join(tmpdir(), 'minke-e2e-key-'));
  const keyFile = join(keyDir, 'deploy_ed25519');
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'e2e', '-f', keyFile]);
  const privateKey = readFileSync(keyFile, 'utf8');
  const fingerprint =
    execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', `${keyFile}.pub`], {
      encoding: 'utf8',
    }).split(' ')[1] ?? '';
  const password = 'e2e-sudo-pw-5521';
  const replacement = 'e2e-sudo-pw-replaced-8830';
  const replies: string[] = [];
  const pageErrors: string[] = [];

  beforeAll(async () => {
    const test = await startBrowserTest({
      pageErrors,
      watch: (p) => keepReplies(p, '/api/', replies),
    });
    ({ server, page } = test);
    return test.stop;
  });

  afterAll(() => rmSync(keyDir, { recursive: true, force: true }));

  async function chooseType(label: string): Promise<void> {
    await page.getByRole('combobox', { name: 'Type' }).click();
    await page.getByRole('option', { name: label }).click();
  }

  it('creates a password and an SSH key, lists the key by fingerprint, replaces and deletes', async () => {
    await page.goto(`${server.url}/#/credentials/create`);
    await page.locator('input[name="name"]').fill('db-root');
    await chooseType('Password (login or sudo)');
    await page.locator('input[name="password"]').fill(password);
    await page.getByRole('button', { name: 'Save' }).click();
    await row(page, 'db-root').waitFor();

    await page.goto(`${server.url}/#/credentials/create`);
    await page.locator('input[name="name"]').fill('deploy');
    await chooseType('SSH private key');
    await page.locator('textarea[name="privateKey"]').fill(privateKey);
    await page.getByRole('button', { name: 'Save' }).click();
    await row(page, 'deploy').getByText(fingerprint).waitFor();
    expect(await row(page, 'db-root').locator('td').nth(1).textContent()).toBe('password');

    // Replace: the form shows no secret (there is none to show), only takes a new one.
    await row(page, 'db-root').getByRole('link', { name: 'Replace' }).click();
    const secretField = page.locator('input[name="password"]');
    await secretField.waitFor();
    expect(await secretField.inputValue()).toBe('');
    await secretField.fill(replacement);
    await page.getByRole('button', { name: 'Save' }).click();
    await row(page, 'deploy').waitFor();
    expect(await row(page, 'db-root').locator('td').nth(5).textContent()).toBe(ADMIN.username);

    await row(page, 'deploy').getByRole('button', { name: 'Delete' }).click();
    await page.getByText('Hosts and groups that name it fail to connect').waitFor();
    await page.getByRole('button', { name: 'Confirm' }).click();
    await expect.poll(() => row(page, 'deploy').count(), { timeout: 10_000 }).toBe(0);

    await page.reload();
    await row(page, 'db-root').waitFor();
    const shown = await page.content();
    const keyLine = privateKey.split('\n')[1] ?? '';
    for (const secret of [password, replacement, keyLine]) {
      expect(shown).not.toContain(secret);
      for (const reply of replies) expect(reply).not.toContain(secret);
    }
    expect(replies.length).toBeGreaterThan(3);
    expect(pageErrors).toEqual([]);
  });
});
