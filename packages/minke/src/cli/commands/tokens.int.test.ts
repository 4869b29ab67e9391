import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../../test-support/run-cli.js';
import { loadProjectConfig } from '../../runtime/load-project.js';
import { silentLogger } from '../../logger.js';
import { openProject } from '../../runtime/open-project.js';
import { createRuntime } from '../../runtime/runtime.js';
import { buildServer } from '../../server/build-server.js';

const tmp = mkdtempSync(join(tmpdir(), 'minke-tokens-cli-'));
const dir = join(tmp, 'p');
const minke = (args: string[], env: Record<string, string> = {}) =>
  runCli(['--project', dir, ...args], { env });

beforeAll(async () => {
  expect((await runCli(['init', dir])).code).toBe(0);
  expect((await minke(['migrate'])).code).toBe(0);
  expect(
    (await minke(['users', 'create', 'alice'], { MINKE_PASSWORD: 'a long password' })).code,
  ).toBe(0);
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('minke tokens', { timeout: 120_000 }, () => {
  it('creates a token printed once, lists it without the token, and revokes it', async () => {
    const created = await minke(['tokens', 'create', '--user', 'alice', '--name', 'ci']);
    expect(created.code).toBe(0);
    const token = created.stdout.trim();
    expect(token).toMatch(/^mkt_[A-Za-z0-9_-]{43}$/);
    expect(created.stderr).toMatch(/^created token 1 \(ci\) for alice; it is not shown again\n$/);

    const project = await openProject(await loadProjectConfig(dir));
    const runtime = createRuntime(project, { quiet: true });
    const app = await buildServer({ project, runtime, logger: silentLogger, webRoot: null });
    try {
      const me = () =>
        app.inject({
          method: 'GET',
          url: '/api/auth/me',
          headers: { authorization: `Bearer ${token}` },
        });
      expect((await me()).json()).toMatchObject({ username: 'alice', via: 'token' });

      const list = await minke(['tokens', 'list', '--user', 'alice', '--json']);
      expect(list.stdout).not.toContain(token);
      expect(JSON.parse(list.stdout)).toEqual([
        expect.objectContaining({ id: 1, name: 'ci', username: 'alice', revoked: false }),
      ]);
      const table = await minke(['tokens', 'list']);
      expect(table.stdout).toMatch(
        /^ID\s+USER\s+NAME\s+CREATED\s+LAST USED\s+REVOKED\n1\s+alice\s+ci\s/,
      );

      const revoked = await minke(['tokens', 'revoke', '1']);
      expect(revoked).toMatchObject({ code: 0, stdout: 'revoked token 1 (ci) of alice\n' });
      expect((await me()).statusCode).toBe(401);
    } finally {
      await app.close();
      await runtime.close();
      await project.close();
    }
    expect((await minke(['tokens', 'create', '--user', 'nobody'])).stderr).toBe(
      'minke: error: user nobody does not exist\n',
    );
    expect((await minke(['tokens', 'revoke', 'x'])).code).toBe(2);
    expect((await minke(['tokens', 'create'])).code).toBe(2);
  });

  it("through a server: one makes, lists and revokes one's own tokens; others' are out of sight", async () => {
    for (const name of ['bob', 'carol']) {
      const made = await minke(['users', 'create', name], { MINKE_PASSWORD: 'a long password' });
      expect(made.code).toBe(0);
    }
    const bobToken = (
      await minke(['tokens', 'create', '--user', 'bob', '--name', 'laptop'])
    ).stdout.trim();
    const carolToken = (await minke(['tokens', 'create', '--user', 'carol'])).stdout.trim();
    const project = await openProject(await loadProjectConfig(dir));
    const runtime = createRuntime(project, { quiet: true });
    const app = await buildServer({ project, runtime, logger: silentLogger, webRoot: null });
    try {
      const url = await app.listen({ host: '127.0.0.1', port: 0 });
      const asBob = (...args: string[]) =>
        runCli(['--server', url, ...args], {
          cwd: tmp,
          env: { MINKE_TOKEN: bobToken, MINKE_SERVER_URL: undefined, MINKE_PROJECT: undefined },
        });
      // No --user: the token's own user.
      const made = await asBob('tokens', 'create', '--name', 'ci');
      expect(made.code).toBe(0);
      const newToken = made.stdout.trim();
      expect(newToken).toMatch(/^mkt_[A-Za-z0-9_-]{43}$/);
      expect(made.stderr).toMatch(/^created token (\d+) \(ci\) for bob; it is not shown again\n$/);
      const newId = Number(/created token (\d+)/.exec(made.stderr)?.[1]);

      // Bob sees his own two tokens, never the tokens themselves nor carol's.
      const listed = await asBob('tokens', 'list', '--json');
      const mine = JSON.parse(listed.stdout) as { id: number; username: string; name: string }[];
      expect(mine.map((t) => [t.username, t.name])).toEqual([
        ['bob', 'ci'],
        ['bob', 'laptop'],
      ]);
      expect(listed.stdout).not.toContain(newToken);
      expect((await asBob('tokens', 'list', '--user', 'carol')).stderr).toBe(
        "minke: error: only superusers may see other users' tokens\n",
      );
      expect((await asBob('tokens', 'create', '--user', 'carol')).stderr).toBe(
        'minke: error: only superusers may make tokens for other users\n',
      );

      // Carol's token is not bob's to revoke: to him it does not exist (as an unknown id locally).
      const carols = (await minke(['tokens', 'list', '--user', 'carol', '--json'])).stdout;
      const carolId = (JSON.parse(carols) as { id: number }[])[0]?.id ?? 0;
      const notHis = await asBob('tokens', 'revoke', String(carolId));
      expect([notHis.code, notHis.stderr]).toEqual([
        2,
        `minke: error: token ${carolId} does not exist\n`,
      ]);
      const revoked = await asBob('tokens', 'revoke', String(newId));
      expect(revoked).toMatchObject({ code: 0, stdout: `revoked token ${newId} (ci) of bob\n` });
      const me = (token: string) =>
        app.inject({
          method: 'GET',
          url: '/api/auth/me',
          headers: { authorization: `Bearer ${token}` },
        });
      expect((await me(newToken)).statusCode).toBe(401);
      expect((await me(carolToken)).statusCode).toBe(200);
    } finally {
      await app.close();
      await runtime.close();
      await project.close();
    }
  });
});
