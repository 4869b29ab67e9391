import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepareLocalHost, writeProject } from '../../test-support/project-folder.js';
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
/** The modules the built CLI loaded for `args`, one path or URL a line. */
async function loadedBy(args: string[]): Promise<string> {
  const out = join(tmp, `loaded-${++runs}.txt`);
  writeFileSync(out, '');
  const result = await runBuiltCli(args, {
    env: {
      NODE_OPTIONS: `--import ${pathToFileURL(recorder).href}`,
      MINKE_TEST_MODULES_OUT: out,
    },
  });
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  return readFileSync(out, 'utf8');
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

// The built CLI is a bundle (scripts/bundle-cli.js): a package read into it loads as part of a
// chunk, which contents.json beside the bundle names.
const bundleDir = fileURLToPath(new URL('../../dist/cli-bundle/', import.meta.url));
const PACKAGES_BUNDLED = ['commander', 'kysely', 'zod', 'pino', '@minke/contract'];

/** Every package the loaded files belong to, installed or read into the bundle. */
function packagesLoaded(loaded: string): Set<string> {
  const contents = JSON.parse(readFileSync(join(bundleDir, 'contents.json'), 'utf8')) as Record<
    string,
    string[]
  >;
  const names = new Set<string>();
  for (const line of loaded.split('\n')) {
    const installed = /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(line)?.[1];
    if (installed) names.add(installed);
    if (line.includes('/dist/cli-bundle/'))
      for (const name of contents[line.slice(line.lastIndexOf('/') + 1)] ?? []) names.add(name);
  }
  return names;
}

function packagesIn(loaded: string, names: readonly string[]): string[] {
  const present = packagesLoaded(loaded);
  return names.filter((name) => present.has(name));
}

/** Packages of the bundle that were loaded as files of node_modules all the same. */
function bundledLoadedAsFiles(loaded: string): string[] {
  return PACKAGES_BUNDLED.filter((name) => loaded.includes(`/node_modules/${name}/`));
}

describe('the CLI bundle', { timeout: 120_000 }, () => {
  it('has every chunk load: its code parses and its imports of node_modules resolve', async () => {
    // Most chunks load only in commands no test here runs; a chunk that fails to load would fail
    // only there, in front of a user. The command first makes the bundle current.
    expect((await runBuiltCli(['--version'])).code).toBe(0);
    const chunks = Object.keys(
      JSON.parse(readFileSync(join(bundleDir, 'contents.json'), 'utf8')) as object,
    );
    const script = `for (const name of ${JSON.stringify(chunks)}) await import(${JSON.stringify(
      pathToFileURL(bundleDir).href,
    )} + name);`;
    const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(chunks.length).toBeGreaterThan(10);
  });
});

describe('what a command loads at start', { timeout: 120_000 }, () => {
  const dir = join(tmp, 'project');
  beforeAll(async () => {
    writeProject(dir, {
      config: "database: 'sqlite:data.db', sessions: [Check]",
      sessions: [
        "import { SingleCommandSession } from 'minke';",
        'export class Check extends SingleCommandSession {',
        "  static override workOn = ['Host'];",
        "  static override command = 'true';",
        '}',
        '',
      ].join('\n'),
      sessionNames: ['Check'],
    });
    await prepareLocalHost(dir);
  });

  it('the recorder sees what a command does load, from the bundle', async () => {
    // The checks below mean something only if loads are seen: commander always loads.
    const loaded = await loadedBy(['--help']);
    expect(loaded).toContain('/dist/cli-bundle/main.js');
    expect(packagesIn(loaded, ['commander'])).toEqual(['commander']);
  });

  it('`minke --help` loads no server, queue, broker, SSH, compiler, database or zod', async () => {
    const loaded = await loadedBy(['--help']);
    const unwanted = [...HEAVY, ...COMPILERS, 'kysely', 'better-sqlite3', 'zod', '@minke/contract'];
    expect(packagesIn(loaded, unwanted)).toEqual([]);
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
    expect(loaded).not.toContain('/node_modules/zod/v4/locales/');
  });

  it('a project that asks zod for a translation gets it, loaded then', async () => {
    const translated = join(tmp, 'translated');
    writeProject(translated, {
      config: "database: 'sqlite:data.db', sessions: [Check]",
      sessions: [
        "import { SingleCommandSession } from 'minke';",
        "import { z } from 'zod';",
        'const issue = z.string().safeParse(1, { error: z.locales.de().localeError }).error?.issues[0];',
        "if (!issue?.message.startsWith('Ungültige Eingabe')) throw new Error(`not German: ${issue?.message}`);",
        'export class Check extends SingleCommandSession {',
        "  static override workOn = ['Host'];",
        "  static override command = 'true';",
        '}',
        '',
      ].join('\n'),
      sessionNames: ['Check'],
    });
    await prepareLocalHost(translated);
    const loaded = await loadedBy(['--project', translated, 'hosts', 'list']);
    expect(loaded).toContain('/node_modules/zod/v4/locales/de.cjs');
  });

  it('`minke run` on a local host loads no SSH, server, queue, mailer or compiler', async () => {
    const loaded = await loadedBy(['--project', dir, 'run', 'Check', '--id', 'local1']);
    expect(packagesIn(loaded, [...HEAVY, ...COMPILERS])).toEqual([]);
    expect(packagesIn(loaded, ['better-sqlite3'])).toEqual(['better-sqlite3']);
  });
});
