import { createHash } from 'node:crypto';
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
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
async function said(project = dir): Promise<string> {
  const shown = await builtMinke(project, ['run', 'Say', '--id', 'local1']);
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

// The built CLI may carry its own zod (bundled): a project whose `zod` is the copy Minke has
// installed (npm put one zod in node_modules for both) must meet the zod Minke runs, as it did
// when both loaded the same files; a project with a zod of its own elsewhere keeps that one.
const sessionsComparingZod = `
import { Session, SessionError, z as minkeZod } from 'minke';
import { z } from 'zod';
import * as core from 'zod/v4/core';
export class Say extends Session {
  static override workOn = ['Host'];
  override async process() {
    const same = z === minkeZod && z.string() instanceof core.$ZodType;
    throw new SessionError(same ? "Minke's zod" : 'its own zod');
  }
}
`;

describe("a project's zod", { timeout: 120_000 }, () => {
  const installedZod = dirname(createRequire(import.meta.url).resolve('zod/package.json'));

  async function projectWithZod(name: string, zod: (modules: string) => void): Promise<string> {
    const project = join(tmp, name);
    writeProject(project, {
      config: "database: 'sqlite:data.db', sessions: [Say]",
      sessions: sessionsComparingZod,
      sessionNames: ['Say'],
    });
    mkdirSync(join(project, 'node_modules'), { recursive: true });
    zod(join(project, 'node_modules'));
    await prepareLocalHost(project);
    return project;
  }

  it("that is Minke's installed copy is the zod Minke runs", async () => {
    const project = await projectWithZod('shared-zod', (modules) =>
      symlinkSync(installedZod, join(modules, 'zod'), 'dir'),
    );
    expect(await said(project)).toBe("Minke's zod");
  });

  it('of its own stays its own', async () => {
    const project = await projectWithZod('own-zod', (modules) => {
      const own = join(modules, 'zod');
      mkdirSync(join(own, 'v4', 'core'), { recursive: true });
      writeFileSync(
        join(own, 'package.json'),
        JSON.stringify({
          name: 'zod',
          type: 'module',
          exports: { '.': './index.js', './v4/core': './v4/core/index.js' },
        }),
      );
      writeFileSync(join(own, 'index.js'), 'export const z = { string: () => ({}) };\n');
      writeFileSync(join(own, 'v4', 'core', 'index.js'), 'export class $ZodType {}\n');
    });
    expect(await said(project)).toBe('its own zod');
  });
});
