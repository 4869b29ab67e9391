import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
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
];
const COMPILERS = ['tsx', 'esbuild'];

function packagesIn(loaded: string, names: readonly string[]): string[] {
  return names.filter((name) => loaded.includes(`/node_modules/${name}/`));
}

describe('what a command loads at start', { timeout: 120_000 }, () => {
  const dir = join(tmp, 'project');
  beforeAll(async () => {
    writeProject(dir, {
      config: "database: 'sqlite:data.db', sessions: []",
      sessions: 'export {};\n',
      sessionNames: [],
    });
    await prepareLocalHost(dir);
  });

  it('the recorder sees what a command does load', async () => {
    // The check below means something only if loads are seen: commander always loads.
    expect(packagesIn(await loadedBy(['--help']), ['commander'])).toEqual(['commander']);
  });

  it('`minke --help` loads no server, queue, broker, SSH or compiler', async () => {
    expect(packagesIn(await loadedBy(['--help']), [...HEAVY, ...COMPILERS, 'kysely'])).toEqual([]);
  });

  it('`minke hosts list` on an unchanged project loads neither those nor a compiler', async () => {
    const loaded = await loadedBy(['--project', dir, 'hosts', 'list']);
    expect(loaded).toContain('/node_modules/kysely/');
    expect(packagesIn(loaded, [...HEAVY, ...COMPILERS])).toEqual([]);
  });
});
