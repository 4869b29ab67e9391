// Bundles the built CLI (dist/, from tsc) into a few ES modules under dist/cli-bundle/, which
// bin/minke.js runs. Start-up was almost all module loading: some 560 files for `hosts list`
// (kysely alone ~260), each resolved, read and compiled. Code splitting keeps every
// `await import()` of the CLI a chunk of its own, loaded only by the commands that use it.
//
// One Minke per process: a project's `import ... from 'minke'` is bridged to the module the
// bundle itself loads (src/runtime/import-project-module.ts imports `../index.js`, which becomes a
// chunk of this bundle), so the project and the CLI share every class, registry and error brand.
//
// Usage: node scripts/bundle-cli.js (after tsc; `npm run build` runs both).
import {
  mkdirSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { isBuiltin } from 'node:module';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const packageDir = fileURLToPath(new URL('..', import.meta.url));
const distDir = join(packageDir, 'dist');
export const bundleDir = join(distDir, 'cli-bundle');

/**
 * Pure-JavaScript packages read into the bundle, with what they import, chosen by measurement:
 * many small files each (kysely's ESM build ~260, zod ~95, pino and its helpers ~30). Everything
 * else stays an import of node_modules: servers, queues and drivers load only in the commands
 * that use them, as separate files.
 *
 * zod is bundled with every package that hands schemas to it (the contract, the protocol,
 * fastify-type-provider-zod): one zod in the process. A project's own `import 'zod'` is pointed
 * at this one when it would resolve to Minke's installed copy (src/runtime/compile-cache.ts).
 */
const BUNDLED_PACKAGES = new Set([
  'commander',
  'kysely',
  'zod',
  '@minke/contract',
  '@minke/protocol',
  'fastify-type-provider-zod',
  'pino',
]);

/**
 * Never read into the bundle, even when a bundled package imports them: native addons, and the
 * server packages a bundled package names (they load with `minke start`/`serve` only).
 */
const NEVER_BUNDLED = new Set([
  'better-sqlite3',
  '@node-rs/argon2',
  'ssh2',
  'cpu-features',
  'pg-native',
  'esbuild',
  'fastify',
  '@fastify/swagger',
]);

/** The package a bare import names (`@scope/name/sub` → `@scope/name`). */
function packageOf(specifier) {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? specifier);
}

/** Minke's own files import only the packages listed; a bundled package brings what it imports. */
const externals = {
  name: 'minke-externals',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) => {
      const name = packageOf(args.path);
      if (isBuiltin(args.path) || NEVER_BUNDLED.has(name))
        return { path: args.path, external: true };
      const fromMinke = args.importer.startsWith(distDir + sep);
      return BUNDLED_PACKAGES.has(name) || !fromMinke
        ? undefined
        : { path: args.path, external: true };
    });
  },
};

/**
 * `import.meta.url` of a file of Minke's dist/ keeps meaning that file's place (package.json,
 * the web admin's files are found from it), written relative to the bundle so an installed copy
 * works wherever it is.
 */
const ownPlaces = {
  name: 'minke-own-places',
  setup(b) {
    b.onLoad({ filter: /\.js$/ }, (args) => {
      if (!args.path.startsWith(distDir + sep)) return undefined;
      const source = readFileSync(args.path, 'utf8');
      if (!source.includes('import.meta.url')) return undefined;
      const place = relative(bundleDir, args.path).split(sep).join('/');
      return {
        contents: source.replace(
          /\bimport\.meta\.url\b/g,
          `new URL(${JSON.stringify(place)}, import.meta.url).href`,
        ),
        loader: 'js',
        resolveDir: dirname(args.path),
      };
    });
  },
};

/**
 * zod's `locales` namespace (~60 translations, some 370 kB) is part of every `z` and of the
 * `zod` a project imports, so every project command parsed it, though a process uses English
 * (zod configures itself with `en`, which stays bundled) or the one locale it asks for. Each other
 * locale is a function returning its messages: here a stand-in of the same name that loads zod's
 * CommonJS copy of it on its first call. That copy's helpers are pure functions; zod's settings
 * live on `globalThis`, shared by both builds.
 */
const zodLocalesOnDemand = {
  name: 'zod-locales-on-demand',
  setup(b) {
    b.onResolve({ filter: /^zod\/v4\/locales\/[\w-]+\.cjs$/ }, (args) => ({
      path: args.path,
      external: true,
    }));
    b.onLoad({ filter: /[\\/]node_modules[\\/]zod[\\/]v4[\\/]locales[\\/]index\.js$/ }, (args) => {
      const source = readFileSync(args.path, 'utf8');
      const locales = [
        ...source.matchAll(/^export \{ default as (\w+) \} from "\.\/([\w-]+)\.js";$/gm),
      ];
      const statements = source.split('\n').filter((line) => line.trim() !== '');
      // Another shape of zod's index would lose locales silently: the build stops instead.
      if (locales.length === 0 || locales.length !== statements.length)
        throw new Error(`${args.path} is not a list of \`export { default as X } from "./X.js"\``);
      const lines = locales.map(([, name, file], index) =>
        file === 'en'
          ? `export { default as ${name} } from './en.js';`
          : `const locale${index} = () => fromCommonJs(require(${JSON.stringify(`zod/v4/locales/${file}.cjs`)}))();\nexport { locale${index} as ${name} };`,
      );
      // zod's CommonJS locale is the function itself (`module.exports = exports.default`).
      const fromCommonJs =
        "const fromCommonJs = (made) => (typeof made === 'function' ? made : made.default);";
      return {
        contents: [fromCommonJs, ...lines].join('\n'),
        loader: 'js',
        resolveDir: dirname(args.path),
      };
    });
  },
};

/** Which packages each output file holds, for the start-up test (what a command loads). */
function contentsOf(metafile) {
  const contents = {};
  for (const [output, info] of Object.entries(metafile.outputs)) {
    if (!output.endsWith('.js')) continue;
    const names = new Set(Object.keys(info.inputs).map(packageOfInput));
    contents[output.slice(output.lastIndexOf('/') + 1)] = [...names].sort();
  }
  return contents;
}

/**
 * `../../node_modules/zod/v4/core/core.js` → `zod`; the workspace's own packages by folder. zod's
 * translations other than English count apart (`zod/v4/locales`): no command should load them.
 */
function packageOfInput(input) {
  if (/node_modules\/zod\/v4\/locales\/(?!en\.js$|index\.js$)/.test(input)) return 'zod/v4/locales';
  const installed = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input);
  if (installed?.[1]) return installed[1];
  const workspace = /^\.\.\/(contract|protocol)\//.exec(input);
  return workspace?.[1] ? `@minke/${workspace[1]}` : 'minke';
}

/** Builds the bundle in memory; nothing is written here. */
async function buildBundle() {
  const result = await build({
    // The session thread of `minke start` (src/runtime/session-thread-main.ts) shares the chunks.
    entryPoints: {
      main: join(distDir, 'cli/main.js'),
      'session-thread': join(distDir, 'runtime/session-thread-main.js'),
    },
    // Where that entry is, from src/runtime/session-thread-entry.ts's place in dist/ (its
    // `import.meta.url` keeps meaning that place, see `ownPlaces`).
    define: { MINKE_SESSION_THREAD_ENTRY: JSON.stringify('../cli-bundle/session-thread.js') },
    absWorkingDir: packageDir,
    outdir: bundleDir,
    write: false,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    // Flat: `import.meta.url` rewriting above counts from this one folder.
    chunkNames: '[name]-[hash]',
    // CommonJS code read into the bundle (commander, pino) requires Node's built-ins.
    banner: {
      js: "import { createRequire as __minkeCreateRequire } from 'node:module'; const require = __minkeCreateRequire(import.meta.url);",
    },
    // Start-up is mostly V8 reading the loaded chunks: without indentation they read ~5% faster.
    // Names stay as written (stack traces, `constructor.name`); a source map beside each chunk
    // gives MINKE_DEBUG's stack traces their lines back (bin/minke.js).
    minifyWhitespace: true,
    sourcemap: 'linked',
    metafile: true,
    logLevel: 'error',
    plugins: [externals, ownPlaces, zodLocalesOnDemand],
  });
  return result;
}

const KEEP_OLD_CHUNKS_MS = 60 * 60 * 1000;

/**
 * Writes the new bundle over the old one so that a command already running keeps working: chunks
 * are named by their content (a name never stands for other code), `main.js` goes last and whole,
 * and chunks of an older build stay an hour for the processes that may still load them.
 */
function writeBundle(result) {
  mkdirSync(bundleDir, { recursive: true });
  const written = new Set(['contents.json', 'built-at']);
  let entry;
  for (const file of result.outputFiles) {
    const name = relative(bundleDir, file.path);
    written.add(name);
    if (name === 'main.js') entry = file;
    else writeWhole(file.path, file.contents);
  }
  if (!entry) throw new Error('the bundle has no main.js');
  writeWhole(
    join(bundleDir, 'contents.json'),
    `${JSON.stringify(contentsOf(result.metafile), null, 1)}\n`,
  );
  writeWhole(entry.path, entry.contents);
  // The stamp bin/minke.js compares with tsc's build info: a bundle older than dist/ is rebuilt.
  writeWhole(join(bundleDir, 'built-at'), `${new Date().toISOString()}\n`);
  const now = Date.now();
  for (const name of readdirSync(bundleDir)) {
    const file = join(bundleDir, name);
    if (!written.has(name) && now - statSync(file).mtimeMs > KEEP_OLD_CHUNKS_MS)
      rmSync(file, { force: true });
  }
  return written.size;
}

function writeWhole(file, data) {
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, data);
  renameSync(temporary, file);
}

/** Several commands may find the bundle stale at once (tests start many): one builds. */
async function withBuildLock(work) {
  const lock = `${bundleDir}.lock`;
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch (error) {
      if (error.code !== 'EEXIST') throw error;
      let age = 0;
      try {
        age = Date.now() - statSync(lock).mtimeMs;
      } catch {
        continue; // released meanwhile
      }
      // A builder that died leaves its lock: after two minutes it is taken over.
      if (age > 120_000 || Date.now() > deadline) rmSync(lock, { recursive: true, force: true });
      else await new Promise((resolve) => setTimeout(resolve, 100));
      return withBuildLock(work);
    }
  }
  try {
    return await work();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/** Builds dist/cli-bundle/ from dist/; `isStale` is asked again under the lock. */
export function bundleCli(isStale = () => true) {
  return withBuildLock(async () => (isStale() ? writeBundle(await buildBundle()) : 0));
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const files = await bundleCli();
  process.stdout.write(
    `minke: CLI bundled into ${relative(process.cwd(), bundleDir)} (${files} files)\n`,
  );
}
