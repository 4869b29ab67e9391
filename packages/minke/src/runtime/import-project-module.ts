import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { compiledModuleUrl } from './compile-cache.js';

/** Where the running Minke leaves its modules for the project's `import ... from 'minke'`. */
const runningMinke = Symbol.for('minke.running-module');
const runningZod = Symbol.for('minke.running-zod');
const runningZodV4 = Symbol.for('minke.running-zod-v4');
const runningZodCore = Symbol.for('minke.running-zod-v4-core');
/** The names a project shares with the running Minke when it has no copy of its own elsewhere. */
const SHARED_WHEN_MINKES = new Set(['zod', 'zod/v4', 'zod/v4/core']);

let bridges: Promise<Record<string, string>> | undefined;

/**
 * A project imports `minke` (and may import `zod`) without a node_modules of its own. Resolving
 * `minke` to a file of its own would evaluate a second copy of Minke, whose classes fail every
 * `instanceof` of the running one (a `SessionError` looked like a bug in session code). Instead
 * the compiled project imports `minke` from a small module that re-exports the running Minke's
 * exports, which this process keeps on `globalThis`: the project and the CLI share one instance.
 */
function runningBridges(): Promise<Record<string, string>> {
  bridges ??= (async () => ({
    minke: await bridgeTo(runningMinke, import('../index.js')),
    zod: await bridgeTo(runningZod, import('zod')),
    'zod/v4': await bridgeTo(runningZodV4, import('zod/v4')),
    'zod/v4/core': await bridgeTo(runningZodCore, import('zod/v4/core')),
  }))();
  return bridges;
}

/**
 * Other bare imports the project cannot resolve fall back to the running Minke's dependencies.
 * Under the CLI bundle `import.meta.resolve` is its loader's, which answers with a promise
 * (bin/load-cli-bundle.js); awaited, both kinds of answer are the same.
 */
async function resolveFromMinke(specifier: string): Promise<string | undefined> {
  try {
    return await Promise.resolve(import.meta.resolve(specifier));
  } catch {
    return undefined;
  }
}

/** Keeps a module of this process on `globalThis`; returns a module URL that re-exports it. */
async function bridgeTo(key: symbol, loading: Promise<unknown>): Promise<string> {
  const module = (await loading) as Record<string, unknown>;
  (globalThis as Record<symbol, unknown>)[key] = module;
  return `data:text/javascript,${encodeURIComponent(bridgeSource(key, Object.keys(module)))}`;
}

/**
 * A module whose exports are those of the module kept at `key`, by name (`export *` would load a
 * copy). Each goes through a local binding, since some names are reserved words (zod's `catch`).
 */
function bridgeSource(key: symbol, names: readonly string[]): string {
  const lines = [
    `const module = globalThis[Symbol.for(${JSON.stringify(key.description)})];`,
    `if (!module) throw new Error('minke: a project module was loaded outside the minke command');`,
  ];
  names
    .filter((name) => /^[A-Za-z_$][\w$]*$/.test(name))
    .forEach((name, index) => {
      lines.push(`const e${index} = module[${JSON.stringify(name)}];`);
      lines.push(`export { e${index} as ${name} };`);
    });
  return lines.join('\n');
}

/**
 * Imports a TypeScript (or JavaScript) file of a user project, with no build step of the user's:
 * compiled once into `.minke/compiled/` and reused until one of its files changes.
 */
export async function importProjectModule(
  file: string,
  projectDir: string = dirname(file),
): Promise<Record<string, unknown>> {
  const url = await compiledModuleUrl(file, {
    projectDir,
    bridges: await runningBridges(),
    // A project without a zod of its own (or whose zod is Minke's installed copy) shares the zod
    // Minke runs, as its schemas meet Minke's code (`instanceof`, `.meta()` in zod's registry).
    fallbackBridges: SHARED_WHEN_MINKES,
    fallbackResolve: resolveFromMinke,
    salt: minkeVersion(),
  });
  // Stack traces, printed with MINKE_DEBUG=1 only, name the project's .ts files. Not always on: Node
  // would then read the source map of every module loaded afterwards, at every command.
  if (process.env['MINKE_DEBUG']) process.setSourceMapsEnabled(true);
  return (await import(url)) as Record<string, unknown>;
}

function minkeVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version?: unknown;
  };
  return String(pkg.version);
}
