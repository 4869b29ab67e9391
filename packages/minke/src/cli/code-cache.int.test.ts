import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepareLocalHost, writeCheckProject } from '../../test-support/project-folder.js';
import { runBuiltCli } from '../../test-support/run-cli.js';

// The built `minke` runs its bundle with V8's code cache (bin/load-cli-bundle.js): one cache per
// command group and build, made at the exit of the group's first command that succeeds and read
// by the next ones.
const tmp = mkdtempSync(join(tmpdir(), 'minke-code-cache-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const loaderFile = fileURLToPath(new URL('../../bin/load-cli-bundle.js', import.meta.url));
const { cacheGroup } = createRequire(import.meta.url)(loaderFile) as {
  cacheGroup: (argv: string[]) => string;
};

const project = join(tmp, 'project');
beforeAll(async () => {
  writeCheckProject(project);
  await prepareLocalHost(project);
});

/** `hosts list` with its caches in `folder`; what it printed, checked. */
async function hostsList(folder: string): Promise<void> {
  const result = await runBuiltCli(['--project', project, 'hosts', 'list'], {
    env: { MINKE_CODE_CACHE: folder },
  });
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  expect(result.stdout).toContain('local1');
}

function cachesIn(folder: string): string[] {
  return readdirSync(folder).sort();
}

describe('the CLI code cache', { timeout: 120_000 }, () => {
  it('names a cache by the command group, not by options, values or arguments', () => {
    expect(cacheGroup(['--project', '/p', 'hosts', 'list'])).toBe('hosts');
    expect(cacheGroup(['-p', 'demo', 'run', 'DiskUsage', '--all'])).toBe('run');
    expect(cacheGroup(['--server', 'http://x', '--token-file', 't', 'history'])).toBe('history');
    expect(cacheGroup(['--help'])).toBe('help');
    expect(cacheGroup([])).toBe('help');
    expect(cacheGroup(['/some/path'])).toBe('other');
  });

  it('is made by the first command of a group and read, unchanged, by the next', async () => {
    const folder = join(tmp, 'first');
    await hostsList(folder);
    const [cache, ...others] = cachesIn(folder);
    expect(others).toEqual([]);
    expect(cache).toMatch(/-hosts\.v8$/);
    const file = join(folder, cache ?? '');
    // Code this user's commands will run: the user's alone.
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(folder).mode & 0o777).toBe(0o700);
    const made = readFileSync(file);
    expect(made.length).toBeGreaterThan(100_000);

    await hostsList(folder);
    // Accepted by V8, so not written again.
    expect(readFileSync(file).equals(made)).toBe(true);
    expect(cachesIn(folder)).toEqual([cache]);
  });

  it('is only partial after a failed command; the first command that succeeds makes the full one', async () => {
    // A mistyped option stops before most of the command's code is compiled.
    const folder = join(tmp, 'partial');
    const typo = ['--project', project, 'hosts', 'list', '--offset', 'x'];
    const failed = await runBuiltCli(typo, { env: { MINKE_CODE_CACHE: folder } });
    expect(failed.code).toBe(2);
    const [partial, ...others] = cachesIn(folder);
    expect(others).toEqual([]);
    expect(partial).toMatch(/-hosts-partial\.v8$/);
    const partialSize = statSync(join(folder, partial ?? '')).size;

    await hostsList(folder);
    const [full, ...rest] = cachesIn(folder);
    expect(rest).toEqual([]);
    expect(full).toMatch(/-hosts\.v8$/);
    const made = readFileSync(join(folder, full ?? ''));
    expect(made.length).toBeGreaterThan(partialSize);

    // A failure after that leaves the full cache as it is.
    expect((await runBuiltCli(typo, { env: { MINKE_CODE_CACHE: folder } })).code).toBe(2);
    expect(cachesIn(folder)).toEqual([full]);
    expect(readFileSync(join(folder, full ?? '')).equals(made)).toBe(true);
  });

  it('a cache V8 refuses (damaged) costs nothing but the time: the command works, the cache is made anew', async () => {
    const folder = join(tmp, 'damaged');
    await hostsList(folder);
    const [cache] = cachesIn(folder);
    const file = join(folder, cache ?? '');
    const garbage = Buffer.alloc(statSync(file).size, 0x5a);
    writeFileSync(file, garbage);

    await hostsList(folder);
    const remade = readFileSync(file);
    expect(remade.equals(garbage)).toBe(false);
    expect(remade.length).toBeGreaterThan(100_000);
  });

  it("drops another build's caches, and never reads them", async () => {
    const folder = join(tmp, 'builds');
    await hostsList(folder);
    const [cache] = cachesIn(folder);
    // The same name but for the bundle's time: a cache of an earlier build.
    const older = (cache ?? '').replace(/-(\d+)-(\d+)-hosts\.v8$/, '-1-$2-hosts.v8');
    expect(older).not.toBe(cache);
    writeFileSync(join(folder, older), Buffer.alloc(16));
    writeFileSync(join(folder, `${older}.123.tmp`), Buffer.alloc(16));
    rmSync(join(folder, cache ?? ''));

    await hostsList(folder);
    expect(cachesIn(folder)).toEqual([cache]);
  });

  it('a cache folder that cannot be made costs the cache only: the command ends as usual', async () => {
    // Under /proc, Node 20's recursive mkdirSync never returned, and every command hung at its exit.
    const result = await runBuiltCli(['--project', project, 'hosts', 'list'], {
      env: { MINKE_CODE_CACHE: '/proc/minke-no-such-folder/cache' },
      timeoutMs: 30_000,
    });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('local1');
  });

  it('makes the folders it needs, for the user alone', async () => {
    const folder = join(tmp, 'deep', 'er');
    await hostsList(folder);
    expect(statSync(join(tmp, 'deep')).mode & 0o777).toBe(0o700);
    expect(cachesIn(folder)).toHaveLength(1);
  });

  it('MINKE_CODE_CACHE=0 turns it off', async () => {
    const result = await runBuiltCli(['--project', project, 'hosts', 'list'], {
      env: { MINKE_CODE_CACHE: '0', HOME: join(tmp, 'home'), XDG_CACHE_HOME: join(tmp, 'xdg') },
      cwd: tmp,
    });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('local1');
    expect(readdirSync(tmp)).not.toContain('0');
    expect(readdirSync(tmp)).not.toContain('xdg');
  });
});
