import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtMinke, prepareLocalHost, writeProject } from '../../test-support/project-folder.js';

// The project's TypeScript is compiled once into .minke/compiled and reused until a file changes;
// all of it seen through the built `minke` command, as a user runs it.
const sessionsSaying = (text: string) => `
import { Session, SessionError } from 'minke';
export class Say extends Session {
  static override workOn = ['Host'];
  override async process() {
    throw new SessionError(${JSON.stringify(text)});
  }
}
`;

const tmp = mkdtempSync(join(tmpdir(), 'minke-compile-cache-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const dir = join(tmp, 'project');
const cache = join(dir, '.minke', 'compiled');

function cacheFiles(ext: string): string[] {
  return readdirSync(cache).filter((name) => name.endsWith(ext));
}

function onlyManifest(): { file: string; manifest: { output: string; outputHash: string } } {
  const [name] = cacheFiles('.json');
  const file = join(cache, name ?? 'missing');
  return { file, manifest: JSON.parse(readFileSync(file, 'utf8')) as never };
}

/** What `minke run Say` prints as the session's message. */
async function said(): Promise<string> {
  const shown = await builtMinke(dir, ['run', 'Say', '--id', 'local1']);
  expect(shown.stderr).toBe('');
  return /error {2}: (.*)\n/.exec(shown.stdout)?.[1] ?? `(nothing in: ${shown.stdout})`;
}

describe('the compiled project cache', { timeout: 120_000 }, () => {
  beforeAll(async () => {
    writeProject(dir, {
      config: "database: 'sqlite:data.db', sessions: [Say]",
      sessions: sessionsSaying('version one'),
      sessionNames: ['Say'],
    });
    await prepareLocalHost(dir);
  });

  it('is built once, owner-only, and reused while no file changes', async () => {
    expect(await said()).toBe('version one');
    expect(statSync(cache).mode & 0o777).toBe(0o700);
    expect(statSync(join(dir, '.minke')).mode & 0o077).toBe(0);
    const [module] = cacheFiles('.mjs');
    expect(cacheFiles('.mjs')).toHaveLength(1);
    expect(statSync(join(cache, module ?? '')).mode & 0o777).toBe(0o600);

    // Prove the next command runs the cached module, not a fresh compile of sessions.ts: change
    // the cached code (and its recorded hash, as a consistent cache would have it).
    const { file, manifest } = onlyManifest();
    const cachedFile = join(cache, manifest.output);
    const changed = readFileSync(cachedFile, 'utf8').replace('"version one"', '"from the cache"');
    writeFileSync(cachedFile, changed);
    const outputHash = createHash('sha256').update(changed).digest('hex');
    writeFileSync(file, JSON.stringify({ ...manifest, outputHash }));
    expect(await said()).toBe('from the cache');
  });

  it('is rebuilt when a project file changes, and the old module goes', async () => {
    const before = cacheFiles('.mjs');
    writeFileSync(join(dir, 'sessions.ts'), sessionsSaying('version two'));
    expect(await said()).toBe('version two');
    const after = cacheFiles('.mjs');
    expect(after).toHaveLength(1);
    expect(after).not.toEqual(before);
  });

  it('ignores a damaged manifest and builds again', async () => {
    writeFileSync(onlyManifest().file, '{ not json');
    expect(await said()).toBe('version two');
    expect(onlyManifest().manifest.output).toMatch(/\.mjs$/);
  });

  it('ignores a damaged module (its hash no longer matches) and builds again', async () => {
    const { manifest } = onlyManifest();
    writeFileSync(join(cache, manifest.output), 'this is not JavaScript {');
    expect(await said()).toBe('version two');
  });

  it('ignores a manifest that names a file outside its folder', async () => {
    const { file, manifest } = onlyManifest();
    writeFileSync(file, JSON.stringify({ ...manifest, output: '../../sessions.ts' }));
    expect(await said()).toBe('version two');
  });

  it('reports a syntax error in a project file by file and line, and loses nothing', async () => {
    writeFileSync(join(dir, 'sessions.ts'), 'export class Say extends {\n');
    const shown = await builtMinke(dir, ['hosts', 'list']);
    expect(shown.code).toBe(1);
    expect(shown.stderr).toMatch(
      /^minke: error: cannot load .*minke\.config\.ts: sessions\.ts:\d+:\d+: Expected identifier/,
    );
    writeFileSync(join(dir, 'sessions.ts'), sessionsSaying('version three'));
    expect(await said()).toBe('version three');
    const hosts = await builtMinke(dir, ['hosts', 'list']);
    expect(hosts.stdout).toContain('local1');
  });
});
