// Bundles the built CLI (dist/, from tsc) into one script, dist/cli-bundle/cli.cjs, which
// bin/minke.js runs through bin/load-cli-bundle.js. Start-up was almost all module loading: some
// 560 files for `hosts list` (kysely alone ~260), each resolved, read and compiled. Every
// `await import()` of Minke's own files stays lazy: esbuild wraps the module and runs it on first
// use, so a command runs only the code it needs.
//
// Why one CommonJS script and not ES modules: Node 20 has no compile cache for ES modules
// (`module.enableCompileCache()` is Node 22), and compiling the bundle's source was the largest
// part of a command's start after Node's own. A script can be compiled through `vm.Script` with
// V8's code cache, which the loader keeps per command (bin/load-cli-bundle.js).
//
// One Minke per process: a project's `import ... from 'minke'` is bridged to the module the
// bundle itself loads (src/runtime/import-project-module.ts imports `../index.js`, which is part
// of this bundle), so the project and the CLI share every class, registry and error brand.
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
  'ssh2',
]);

/**
 * Never read into the bundle, even when a bundled package imports them: native addons, and the
 * server packages a bundled package names (they load with `minke start`/`serve` only).
 */
const NEVER_BUNDLED = new Set([
  'better-sqlite3',
  '@node-rs/argon2',
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
 * A bundled package's native addon (ssh2's `./crypto/build/Release/sshcrypto.node`, built by its
 * install when it can be) stays a file of its package: required from the bundle by its path
 * inside node_modules (`ssh2/lib/protocol/crypto/build/Release/sshcrypto.node`), which Node
 * resolves from the bundle's place as it resolves the package. A package that finds no addon
 * falls back to its JavaScript (ssh2 requires it inside a `try`).
 */
const nativeAddons = {
  name: 'native-addons',
  setup(b) {
    b.onResolve({ filter: /\.node$/ }, (args) => {
      const file = join(args.resolveDir, args.path);
      const modules = `${sep}node_modules${sep}`;
      const inModules = file.lastIndexOf(modules);
      if (inModules < 0)
        throw new Error(`${args.path} (from ${args.importer}) is no package's addon`);
      const path = file
        .slice(inModules + modules.length)
        .split(sep)
        .join('/');
      return { path, external: true };
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

/** The bundle's one script, run by bin/load-cli-bundle.js (it is no module to import). */
export const bundleScript = 'cli.cjs';

/**
 * What the bundle reads from its loader (bin/load-cli-bundle.js), which runs it with V8's code
 * cache. An `import()` compiled in a `vm.Script` fails once its code comes from that cache in
 * another process ("A dynamic import callback was not specified", Node 20), so every `import()`
 * left in the bundle (packages of node_modules, the project's compiled files) goes through the
 * loader's, a file Node loads itself. `import.meta.url` of the source means the bundle file here.
 */
const LOADER_HOST = 'minke.cli-bundle-loader';
const banner = [
  `const __minkeLoader = globalThis[Symbol.for(${JSON.stringify(LOADER_HOST)})];`,
  "if (!__minkeLoader) throw new Error('minke: the CLI bundle runs through bin/minke.js');",
  "const __minkeImportMetaUrl = require('node:url').pathToFileURL(__filename).href;",
].join(' ');

/** A call `import(` that is no method (`x.import(`) and no part of a longer name. */
const DYNAMIC_IMPORT = /(?<![\w$.])import\(/g;

/**
 * Points every `import()` of the bundle at the loader's. esbuild keeps `import()` only where it
 * does not bundle what is imported: a package of node_modules, or a computed URL (the project's
 * compiled files). esbuild leaves no comments, so each match is a call; a string that held
 * `import(` would be changed too, so the build stops when the count is not what the bundle's own
 * imports make it (each package import, and the one computed URL, import-project-module.ts).
 */
function throughLoader(text, expected) {
  let count = 0;
  const out = text.replace(DYNAMIC_IMPORT, () => {
    count++;
    return '__minkeLoader.import(';
  });
  if (count !== expected)
    throw new Error(
      `the bundle has ${count} import() calls where its imports make ${expected}: is \`import(\` in a string? (scripts/bundle-cli.js)`,
    );
  return out;
}

/** How many import() calls the project module import adds beside the packages' (import(url)). */
const COMPUTED_IMPORTS = 1;

/**
 * Native addons a bundled package requires inside a `try`, built by an install that can: ssh2's
 * `cpu-features` (an optional dependency) and its own crypto addon. Where one is missing, the
 * package does without it.
 */
function isOptionalAddon(path) {
  return path === 'cpu-features' || path.endsWith('.node');
}

/**
 * What the bundle loads from node_modules at run time, for the test that each resolves from the
 * bundle's place (src/cli/cli-startup.int.test.ts): `require` for what it requires, `import` for
 * what it imports, `optional` for the addons that may not have been built.
 */
function externalsOf(output) {
  const required = new Set();
  const imported = new Set();
  const optional = new Set();
  for (const entry of output.imports) {
    if (!entry.external || isBuiltin(entry.path)) continue;
    if (isOptionalAddon(entry.path)) optional.add(entry.path);
    else (entry.kind === 'dynamic-import' ? imported : required).add(entry.path);
  }
  return {
    require: [...required].sort(),
    import: [...imported].sort(),
    optional: [...optional].sort(),
  };
}

/** Builds the bundle in memory; nothing is written here. */
async function buildBundle() {
  const result = await build({
    entryPoints: { cli: join(distDir, 'cli/bundle-entry.js') },
    outExtension: { '.js': '.cjs' },
    define: {
      // Where the session thread's entry is, from src/runtime/session-thread-entry.ts's place in
      // dist/ (its `import.meta.url` keeps meaning that place, see `ownPlaces`).
      MINKE_SESSION_THREAD_ENTRY: JSON.stringify('../../bin/session-thread.js'),
      'import.meta.url': '__minkeImportMetaUrl',
      'import.meta.resolve': '__minkeLoader.resolve',
    },
    absWorkingDir: packageDir,
    outdir: bundleDir,
    write: false,
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    banner: { js: banner },
    // Without indentation V8 read the bundle ~5% faster (measured before the code cache).
    // Names stay as written (stack traces, `constructor.name`, and the module paths esbuild
    // names its lazy wrappers by, which the start-up test reads); with MINKE_DEBUG the source
    // map beside the bundle gives stack traces their lines back (bin/load-cli-bundle.js).
    minifyWhitespace: true,
    sourcemap: 'linked',
    metafile: true,
    logLevel: 'error',
    plugins: [externals, nativeAddons, ownPlaces, zodLocalesOnDemand],
  });
  const script = result.outputFiles.find((file) => file.path.endsWith(`/${bundleScript}`));
  const output = result.metafile.outputs[relative(packageDir, join(bundleDir, bundleScript))];
  if (!script || !output) throw new Error(`the bundle has no ${bundleScript}`);
  const loaded = externalsOf(output);
  const dynamicImports = output.imports.filter(
    (entry) => entry.external && entry.kind === 'dynamic-import',
  ).length;
  const text = throughLoader(script.text, dynamicImports + COMPUTED_IMPORTS);
  // The loader reads the script as Latin-1, the fastest decoding, which is right for ASCII only.
  if (/[\u0080-\uffff]/.test(text))
    throw new Error(`${bundleScript} is not ASCII (esbuild's charset)`);
  return {
    files: result.outputFiles.map((file) =>
      file === script ? { path: file.path, contents: text } : file,
    ),
    externals: loaded,
  };
}

const KEEP_OLD_FILES_MS = 60 * 60 * 1000;

/**
 * Writes the new bundle over the old one so that a command already running keeps working: the
 * script goes last and whole (a rename), and files of an older build stay an hour for the
 * processes that may still read them. The loader's code caches (code-cache/) are keyed by the
 * script's size and time, so an older build's are never used and go with it.
 */
function writeBundle(bundle) {
  mkdirSync(bundleDir, { recursive: true });
  const written = new Set(['contents.json', 'built-at', 'code-cache']);
  let entry;
  for (const file of bundle.files) {
    const name = relative(bundleDir, file.path);
    written.add(name);
    if (name === bundleScript) entry = file;
    else writeWhole(file.path, file.contents);
  }
  if (!entry) throw new Error(`the bundle has no ${bundleScript}`);
  writeWhole(
    join(bundleDir, 'contents.json'),
    `${JSON.stringify({ externals: bundle.externals }, null, 1)}\n`,
  );
  writeWhole(entry.path, entry.contents);
  // The stamp bin/minke.js compares with tsc's build info: a bundle older than dist/ is rebuilt.
  writeWhole(join(bundleDir, 'built-at'), `${new Date().toISOString()}\n`);
  const now = Date.now();
  for (const name of readdirSync(bundleDir)) {
    const file = join(bundleDir, name);
    if (!written.has(name) && now - statSync(file).mtimeMs > KEEP_OLD_FILES_MS)
      rmSync(file, { force: true, recursive: true });
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
