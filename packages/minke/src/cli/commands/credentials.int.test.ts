import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBuiltCli, type CliResult } from '../../../test-support/run-cli.js';

/** `minke credentials` as a user runs it: the built CLI over a project folder made by `init`. */
const tmp = mkdtempSync(join(tmpdir(), 'minke-credentials-cli-'));
const dir = join(tmp, 'p');
const keyFile = join(tmp, 'deploy_ed25519');
const password = `cli-pw-${randomBytes(6).toString('hex')}`;
const outputs: CliResult[] = [];
const minke = async (args: string[], env: Record<string, string> = {}) => {
  const result = await runBuiltCli(['--project', dir, ...args], {
    env: { MINKE_SECRET_KEY: undefined, MINKE_SECRET_KEY_FILE: undefined, ...env },
  });
  outputs.push(result);
  return result;
};

beforeAll(async () => {
  expect((await runBuiltCli(['init', dir])).code).toBe(0);
  expect((await minke(['migrate'])).code).toBe(0);
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'cli', '-f', keyFile]);
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('minke credentials', { timeout: 180_000 }, () => {
  it('adds, lists, rotates, replaces and deletes, never printing or storing a secret in clear', async () => {
    const privateKeyLine = readFileSync(keyFile, 'utf8').split('\n')[1] ?? '';
    const fingerprint =
      execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', `${keyFile}.pub`], {
        encoding: 'utf8',
      }).split(' ')[1] ?? '';

    const added = await minke(['credentials', 'add', 'db-root', '--type', 'password'], {
      MINKE_SECRET: password,
    });
    expect(added).toMatchObject({ code: 0, stdout: 'added credential db-root (password)\n' });
    const key = await minke([
      'credentials',
      'add',
      'deploy',
      '--type',
      'ssh-key',
      '--from-file',
      keyFile,
    ]);
    expect(key).toMatchObject({
      code: 0,
      stdout: `added credential deploy (ssh-key ${fingerprint})\n`,
    });
    const keyPath = join(dir, '.minke', 'secret.key');
    expect((statSync(keyPath).mode & 0o777).toString(8)).toBe('600');

    // No secret anywhere to read: not argv, not a pipe.
    const none = await minke(['credentials', 'add', 'x', '--type', 'password']);
    expect(none).toMatchObject({
      code: 2,
      stderr:
        'minke: error: no password: use --from-file FILE, set MINKE_SECRET, or run this at a terminal to be asked\n',
    });
    const wrongType = await minke(['credentials', 'add', 'x', '--type', 'token'], {
      MINKE_SECRET: password,
    });
    expect(wrongType).toMatchObject({
      code: 2,
      stderr: 'minke: error: --type token: expected ssh-key or password\n',
    });
    const notAKey = await minke(['credentials', 'add', 'x', '--type', 'ssh-key'], {
      MINKE_SECRET: password,
    });
    expect(notAKey.stderr).toBe(
      'minke: error: credential x: not a supported private key (OpenSSH or PEM)\n',
    );

    const table = await minke(['credentials', 'list']);
    const rows = table.stdout
      .trim()
      .split('\n')
      .map((line) => line.split(/\s+/));
    expect(rows).toEqual([
      ['NAME', 'TYPE', 'FINGERPRINT', 'UPDATED', 'BY'],
      ['db-root', 'password', expect.stringMatching(/^\d{4}-/), expect.stringMatching(/^cli:/)],
      [
        'deploy',
        'ssh-key',
        fingerprint,
        expect.stringMatching(/^\d{4}-/),
        expect.stringMatching(/^cli:/),
      ],
    ]);
    const before = JSON.parse((await minke(['credentials', 'list', '--json'])).stdout) as {
      keyId: string;
    }[];

    const rotated = await minke(['credentials', 'rotate-key']);
    expect(rotated.code).toBe(0);
    const oldKeyId = before[0]?.keyId ?? '';
    const backup = `${keyPath}.${oldKeyId}.old`;
    expect(rotated.stdout).toMatch(
      new RegExp(
        `^re-encrypted 2 credential\\(s\\) under key [0-9a-f]{16} \\(was ${oldKeyId}\\)\\n`,
      ),
    );
    expect(rotated.stdout).toContain(
      `the old key is kept in ${backup}: delete it once every server and worker uses the new key`,
    );
    expect(readdirSync(join(dir, '.minke')).sort()).toEqual(
      expect.arrayContaining(['secret.key', `secret.key.${oldKeyId}.old`]),
    );
    const after = JSON.parse((await minke(['credentials', 'list', '--json'])).stdout) as {
      keyId: string;
    }[];
    expect(after.map((c) => c.keyId)).toEqual([after[0]?.keyId, after[0]?.keyId]);
    expect(after[0]?.keyId).not.toBe(oldKeyId);

    // Started with another key: the error names the credential and the key, not the secret.
    const otherKey = randomBytes(32).toString('base64');
    const wrong = await minke(['credentials', 'rotate-key'], { MINKE_SECRET_KEY: otherKey });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(
      /^minke: error: credential db-root was encrypted with secret key [0-9a-f]{16}, which is not loaded \(looked in MINKE_SECRET_KEY/,
    );

    // Pruning the project's permissions leaves the store's alone.
    await minke(['permissions', 'sync', '--prune']);
    const permissions = (await minke(['permissions', 'list'])).stdout;
    for (const codename of ['manage_credentials', 'use_credential', 'use_credential:deploy'])
      expect(permissions).toContain(codename);

    const replaced = await minke(['credentials', 'replace', 'deploy', '--type', 'password'], {
      MINKE_SECRET: `${password}-2`,
    });
    expect(replaced).toMatchObject({ code: 0, stdout: 'replaced credential deploy (password)\n' });
    const deleted = await minke(['credentials', 'delete', 'deploy']);
    expect(deleted).toMatchObject({ code: 0, stdout: 'deleted credential deploy (password)\n' });
    const gone = await minke(['credentials', 'delete', 'deploy']);
    expect(gone).toMatchObject({
      code: 2,
      stderr: 'minke: error: credential deploy does not exist\n',
    });

    const database = readdirSync(dir)
      .filter((name) => name.startsWith('minke.db'))
      .map((name) => readFileSync(join(dir, name)).toString('latin1'))
      .join('');
    expect(database).toContain('db-root');
    for (const secret of [password, privateKeyLine]) {
      expect(database).not.toContain(secret);
      for (const output of outputs) expect(output.stdout + output.stderr).not.toContain(secret);
    }
  });
});
