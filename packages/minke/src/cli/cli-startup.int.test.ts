import { createRequire } from 'node:module';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepareLocalHost, writeCheckProject } from '../../test-support/project-folder.js';
import { runBuiltCli } from '../../test-support/run-cli.js';

// What a command loads before it does anything is its start-up time: the servers, the job queue,
// the broker, SSH and the TypeScript compiler load only in the commands that use them.
const tmp = mkdtempSync(join(tmpdir(), 'minke-cli-startup-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

// Records every module URL Node's ESM loader loads (through a loader hook, in its own thread) and,
// at exit, every CommonJS file required, so nothing loaded escapes the list.
const hooks = join(tmp, 'record-hooks.mjs');
const recorder = join(tmp, 'record-modules.mjs');
writeFileSync(
  hooks,
  `import { appendFileSync } from 'node:fs';
let out;
export function initialize(data) { out = data.out; }
export async function load(url, context, next) {
  appendFileSync(out, url + '\\n');
  return next(url, context);
}
`,
);
writeFileSync(
  recorder,
  `import { appendFileSync } from 'node:fs';
import { createRequire, register } from 'node:module';
const out = process.env.MINKE_TEST_MODULES_OUT;
register(${JSON.stringify(pathToFileURL(hooks).href)}, { data: { out } });
const required = createRequire(import.meta.url).cache;
process.on('exit', () => appendFileSync(out, Object.keys(required).join('\\n') + '\\n'));
`,
);

let runs = 0;

/** What a command loaded: files of node_modules, and the packages of the bundle whose code ran. */
interface Loaded {
  /** Every module URL and CommonJS file loaded, one a line. */
  files: string;
  /** Packages read into the bundle whose modules ran (a lazy module's wrapper was called). */
  ran: Set<string>;
  /** Packages read into the bundle that load lazily there (their modules have wrappers). */
  lazy: Set<string>;
  /** The modules of the contract and the protocol that ran (`../contract/dist/states.js`). */
  workspaceModules: Set<string>;
}

// The bundle is one script (scripts/bundle-cli.js): what of it ran is read from V8's coverage.
// esbuild wraps each module that loads lazily in a function named by the module's path
// (`__esm({"../../node_modules/zod/v4/core/core.js"() {…}})`); the wrapper's count is whether the
// module ran. Modules that run at every start are not wrapped, so a package counts as not run only
// where its wrappers are seen (`lazy`).
const bundleScript = fileURLToPath(new URL('../../dist/cli-bundle/cli.cjs', import.meta.url));

/** `../../node_modules/zod/v4/core.js` → `zod`; the workspace's own packages by folder. */
function packageOfModule(path: string): string | undefined {
  if (/node_modules\/zod\/v4\/locales\/(?!en\.js$|index\.js$)/.test(path)) return 'zod/v4/locales';
  const installed = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(path)?.[1];
  if (installed) return installed;
  const workspace = /^\.\.\/(contract|protocol)\//.exec(path)?.[1];
  if (workspace) return `@minke/${workspace}`;
  return path.startsWith('dist/') ? 'minke' : undefined;
}

interface Coverage {
  result: { url: string; functions: { functionName: string; ranges: { count: number }[] }[] }[];
}

function bundleCoverage(folder: string): Pick<Loaded, 'ran' | 'lazy' | 'workspaceModules'> {
  const ran = new Set<string>();
  const lazy = new Set<string>();
  const workspaceModules = new Set<string>();
  for (const file of readdirSync(folder)) {
    const coverage = JSON.parse(readFileSync(join(folder, file), 'utf8')) as Coverage;
    for (const script of coverage.result) {
      if (script.url !== pathToFileURL(bundleScript).href && script.url !== bundleScript) continue;
      for (const fn of script.functions) {
        const name = packageOfModule(fn.functionName);
        if (!name) continue;
        lazy.add(name);
        if ((fn.ranges[0]?.count ?? 0) === 0) continue;
        ran.add(name);
        if (name === '@minke/contract' || name === '@minke/protocol')
          workspaceModules.add(fn.functionName);
      }
    }
  }
  return { ran, lazy, workspaceModules };
}

/** What the built CLI loaded for `args`. */
async function loadedBy(args: string[]): Promise<Loaded> {
  const out = join(tmp, `loaded-${++runs}.txt`);
  const coverage = join(tmp, `coverage-${runs}`);
  writeFileSync(out, '');
  const result = await runBuiltCli(args, {
    env: {
      NODE_OPTIONS: `--import ${pathToFileURL(recorder).href}`,
      MINKE_TEST_MODULES_OUT: out,
      NODE_V8_COVERAGE: coverage,
      // What runs is the question here, not the cache (src/cli/code-cache.int.test.ts).
      MINKE_CODE_CACHE: '0',
    },
  });
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  return { files: readFileSync(out, 'utf8'), ...bundleCoverage(coverage) };
}

const HEAVY = [
  'fastify',
  'bullmq',
  'ioredis',
  'aedes',
  'mqtt',
  'ssh2',
  '@node-rs/argon2',
  'prom-client',
  // e-mail notifications load it when they send one
  'nodemailer',
];
const COMPILERS = ['tsx', 'esbuild'];
const PACKAGES_BUNDLED = ['commander', 'kysely', 'zod', 'pino', '@minke/contract'];

/** Every package loaded, from node_modules or run from the bundle. */
function packagesLoaded(loaded: Loaded): Set<string> {
  const names = new Set(loaded.ran);
  for (const line of loaded.files.split('\n')) {
    const installed = /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(line)?.[1];
    if (installed) names.add(installed);
  }
  return names;
}

function packagesIn(loaded: Loaded, names: readonly string[]): string[] {
  const present = packagesLoaded(loaded);
  return names.filter((name) => present.has(name));
}

/** Packages of the bundle that were loaded as files of node_modules all the same. */
function bundledLoadedAsFiles(loaded: Loaded): string[] {
  return PACKAGES_BUNDLED.filter((name) => loaded.files.includes(`/node_modules/${name}/`));
}

const bundleDir = dirname(bundleScript);
const loader = fileURLToPath(new URL('../../bin/load-cli-bundle.js', import.meta.url));

describe('the CLI bundle', { timeout: 120_000 }, () => {
  it('loads every package it takes from node_modules, the way it takes each', async () => {
    // Most of them load only in commands no test here runs; one that failed to load would fail
    // only there, in front of a user. aedes, an ES module only, must come by import(): required,
    // it fails on Node 20. The command first makes the bundle current.
    expect((await runBuiltCli(['--version'])).code).toBe(0);
    const { externals } = JSON.parse(readFileSync(join(bundleDir, 'contents.json'), 'utf8')) as {
      externals: { require: string[]; import: string[]; optional: string[] };
    };
    expect(externals.import).toContain('aedes');
    expect(externals.require).not.toContain('aedes');
    expect(externals.require).toContain('fastify');
    const script = [
      `const required = require('node:module').createRequire(${JSON.stringify(bundleScript)});`,
      `for (const name of ${JSON.stringify(externals.require)}) required(name);`,
      `require(${JSON.stringify(loader)});`,
      "const viaLoader = globalThis[Symbol.for('minke.cli-bundle-loader')];",
      `(async () => { for (const name of ${JSON.stringify(externals.import)}) await viaLoader.import(name); })()`,
      '  .then(() => process.exit(0), (error) => { console.error(error); process.exit(1); });',
    ].join('\n');
    const result = spawnSync(process.execPath, ['-e', script], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  it("loads a bundled package's native addon from its package, where its install built it", () => {
    // ssh2 is read into the bundle, its crypto addon is not: the bundle must find the addon
    // exactly where ssh2's own files would (else ssh2 silently does without it).
    const { externals } = JSON.parse(readFileSync(join(bundleDir, 'contents.json'), 'utf8')) as {
      externals: { optional: string[] };
    };
    const addon = 'ssh2/lib/protocol/crypto/build/Release/sshcrypto.node';
    expect(externals.optional.sort()).toEqual(['cpu-features', addon]);
    const ssh2Crypto = join(
      dirname(createRequire(bundleScript).resolve('ssh2')),
      'protocol/crypto.js',
    );
    const loads = (from: string, name: string) => {
      try {
        createRequire(from)(name);
        return true;
      } catch {
        return false;
      }
    };
    // How ssh2's own file requires each (lib/protocol/crypto.js and lib/protocol/constants.js).
    expect(loads(bundleScript, addon)).toBe(
      loads(ssh2Crypto, './crypto/build/Release/sshcrypto.node'),
    );
    expect(loads(bundleScript, 'cpu-features')).toBe(loads(ssh2Crypto, 'cpu-features'));
  });

  it('says how to run it when it is required without its loader', () => {
    const result = spawnSync(process.execPath, ['-e', `require(${JSON.stringify(bundleScript)})`], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('the CLI bundle runs through bin/minke.js');
  });
});

describe('what a command loads at start', { timeout: 120_000 }, () => {
  const dir = join(tmp, 'project');
  beforeAll(async () => {
    writeCheckProject(dir);
    await prepareLocalHost(dir);
  });

  it('the recorder sees what a command does load, from the bundle', async () => {
    // The checks below mean something only if loads are seen: commander always loads, and the
    // packages the bundle loads lazily are seen there, run or not.
    const loaded = await loadedBy(['--help']);
    expect(packagesIn(loaded, ['commander'])).toEqual(['commander']);
    for (const name of ['zod', 'kysely', '@minke/contract', 'minke'])
      expect(loaded.lazy).toContain(name);
    expect(loaded.ran).toContain('minke');
  });

  it('`minke --help` loads no server, queue, broker, SSH, compiler, database or zod', async () => {
    const loaded = await loadedBy(['--help']);
    const unwanted = [...HEAVY, ...COMPILERS, 'kysely', 'better-sqlite3', 'zod', '@minke/contract'];
    expect(packagesIn(loaded, unwanted)).toEqual([]);
    // Not run, and not run at start either: each has modules that load lazily.
    for (const name of ['zod', 'kysely', '@minke/contract']) expect(loaded.lazy).toContain(name);
  });

  it('`minke hosts list` on an unchanged project loads neither those nor a compiler', async () => {
    const loaded = await loadedBy(['--project', dir, 'hosts', 'list']);
    expect(packagesIn(loaded, ['kysely', 'zod'])).toEqual(['kysely', 'zod']);
    expect(packagesIn(loaded, [...HEAVY, ...COMPILERS])).toEqual([]);
    // What is bundled loads as chunks of the bundle, not as its many files in node_modules.
    expect(bundledLoadedAsFiles(loaded)).toEqual([]);
  });

  it('`minke hosts list` loads no translation of zod but English', async () => {
    // ~60 translations, nearly half of zod by size: in the bundle, each is a stand-in that loads it on call.
    const loaded = await loadedBy(['--project', dir, 'hosts', 'list']);
    expect(packagesIn(loaded, ['zod/v4/locales'])).toEqual([]);
    expect(loaded.files).not.toContain('/node_modules/zod/v4/locales/');
  });

  it('a project that asks zod for a translation gets it, loaded then', async () => {
    const translated = join(tmp, 'translated');
    writeCheckProject(translated, [
      "import { z } from 'zod';",
      'const issue = z.string().safeParse(1, { error: z.locales.de().localeError }).error?.issues[0];',
      "if (!issue?.message.startsWith('Ungültige Eingabe')) throw new Error(`not German: ${issue?.message}`);",
    ]);
    await prepareLocalHost(translated);
    const loaded = await loadedBy(['--project', translated, 'hosts', 'list']);
    expect(loaded.files).toContain('/node_modules/zod/v4/locales/de.cjs');
  });

  it('`minke run` on a local host loads no SSH, server, queue, mailer or compiler', async () => {
    const loaded = await loadedBy(['--project', dir, 'run', 'Check', '--id', 'local1']);
    expect(packagesIn(loaded, [...HEAVY, ...COMPILERS])).toEqual([]);
    expect(packagesIn(loaded, ['better-sqlite3'])).toEqual(['better-sqlite3']);
  });

  it('`minke run` and `hosts list` build none of the API schemas they do not use', async () => {
    // The contract's and the protocol's index build every schema they have (~25 ms and ~10 ms
    // at each start): code on these paths imports their modules by path instead.
    for (const args of [
      ['run', 'Check', '--id', 'local1'],
      ['hosts', 'list'],
    ]) {
      const loaded = await loadedBy(['--project', dir, ...args]);
      const modules = [...loaded.workspaceModules];
      expect(modules.length).toBeGreaterThan(0);
      expect(modules.filter((path) => path.endsWith('/dist/index.js'))).toEqual([]);
      expect(
        modules.filter((path) => /\/(messages|api\/(facts|agents|jobs))\.js$/.test(path)),
      ).toEqual([]);
    }
  });
});
