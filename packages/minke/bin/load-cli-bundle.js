// Runs the CLI bundle (dist/cli-bundle/cli.cjs, made by scripts/bundle-cli.js) with V8's code
// cache: the bundle is compiled once per command group and build, not at every command.
//
// Node 20 caches compiled code for no module (`module.enableCompileCache()` is Node 22), but
// `vm.Script` takes and makes V8's cache. The bundle is a CommonJS script, run here the way Node
// runs one (the same wrapper, `require` from its place), with its cache when there is one.
// Measured on `minke hosts list`: 2.6× a bare `node -e 0` before, 2.1× with the cache
// (docs/performance.md, twelfth session).
'use strict';
const fs = require('node:fs');
const { createRequire } = require('node:module');
const { homedir } = require('node:os');
const { dirname, join } = require('node:path');
const { Script } = require('node:vm');

const bundleFile = join(__dirname, '../dist/cli-bundle/cli.cjs');

/**
 * What the bundle takes from here (its banner reads it): an `import()` of this file's own, as one
 * compiled in a `vm.Script` fails once it comes from the cache in another process (Node 20: "A
 * dynamic import callback was not specified"), and an ES module's resolution for the packages a
 * project may lack. Both resolve from this folder, which shares node_modules with the bundle's.
 */
globalThis[Symbol.for('minke.cli-bundle-loader')] = {
  import: (specifier) => import(specifier),
  resolve: async (specifier) =>
    (await import('./resolve-from-minke.mjs')).resolveFromMinke(specifier),
};

/** Global options that take a value: the word after them is not the command (src/cli/main.ts). */
const OPTIONS_WITH_VALUE = new Set(['-p', '--project', '--server', '--token-file']);

/**
 * Which cache a command uses: one per command group (`hosts`, `run`, `start`…), as each compiles
 * other parts of the bundle; a cache made by `--help` left `hosts list` 20 ms slower than its own.
 */
function cacheGroup(argv) {
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i] ?? '';
    if (word === '--') break;
    if (!word.startsWith('-')) return /^[a-z][a-z-]{0,30}$/.test(word) ? word : 'other';
    if (OPTIONS_WITH_VALUE.has(word)) i++;
  }
  return 'help';
}

/**
 * Where caches are kept: MINKE_CODE_CACHE names a folder; by default beside the bundle, or, where
 * the user may not write there (a package installed by root), in the user's own cache folder. A
 * cache is code this process will run, so only folders of the user's (or the bundle's own) are
 * read. MINKE_CODE_CACHE=0 turns the cache off.
 */
function cacheFolders() {
  const chosen = process.env['MINKE_CODE_CACHE'];
  if (chosen === '0') return [];
  if (chosen) return [chosen];
  const folders = [join(dirname(bundleFile), 'code-cache')];
  try {
    const userCache = process.env['XDG_CACHE_HOME'] || join(homedir(), '.cache');
    folders.push(join(userCache, 'minke', 'code-cache'));
  } catch {
    // no home folder for this user (homedir() throws): the bundle's folder only
  }
  return folders;
}

/** At most this many caches in a folder (command groups, and words mistaken for them). */
const MOST_CACHES = 40;

/** A cache is for one build of the bundle and one V8: older builds' are never read. */
function buildPrefix(stat) {
  const v8 = process.versions.v8.replace(/[^\w.-]/g, '_');
  return `${v8}-${Math.trunc(stat.mtimeMs)}-${stat.size}-`;
}

function readCache(folders, name) {
  for (const folder of folders) {
    try {
      return fs.readFileSync(join(folder, name));
    } catch {
      // not there: the next folder, or no cache
    }
  }
  return undefined;
}

/**
 * Makes `folder` and the folders above it that are missing (mode 700). Not `mkdirSync`'s
 * `recursive`: on Node 20 it never returns for a path under /proc (MINKE_CODE_CACHE=/proc/x hung
 * every command at its exit). One level at a time, each fails at once where it cannot be made.
 */
function makeFolder(folder) {
  try {
    if (fs.statSync(folder).isDirectory()) return;
  } catch {
    // missing: made below
  }
  const parent = dirname(folder);
  if (parent !== folder) makeFolder(parent);
  try {
    fs.mkdirSync(folder, { mode: 0o700 });
  } catch (error) {
    if (error.code !== 'EEXIST') throw error;
  }
}

/**
 * Writes the cache whole (a rename) in the first folder that takes it; drops older builds', and
 * `replaces` (the partial cache a full one takes the place of).
 */
function writeCache(folders, build, name, data, replaces) {
  for (const folder of folders) {
    try {
      makeFolder(folder);
      // Caches (and unfinished writes) of other builds are never read again.
      const present = fs.readdirSync(folder).filter((file) => /\.(v8|tmp)$/.test(file));
      for (const file of present)
        if (!file.startsWith(build)) fs.rmSync(join(folder, file), { force: true });
      if (present.filter((file) => file.startsWith(build)).length >= MOST_CACHES) return;
      const temporary = join(folder, `${name}.${process.pid}.tmp`);
      fs.writeFileSync(temporary, data, { mode: 0o600 });
      fs.renameSync(temporary, join(folder, name));
      if (replaces) fs.rmSync(join(folder, replaces), { force: true });
      return;
    } catch {
      // a folder the user may not write: the next one, or no cache this time
    }
  }
}

/**
 * Runs the bundle and returns its exports (`main`, `sessionThreadMain`). `group` names the cache
 * (see `cacheGroup`). With MINKE_DEBUG=1 (stack traces printed) it is required without a cache
 * instead, so that Node's source maps give stack traces the lines of Minke's own files.
 */
function loadCliBundle(group) {
  const require = createRequire(bundleFile);
  if (process.env['MINKE_DEBUG']) {
    process.setSourceMapsEnabled(true);
    return require(bundleFile);
  }
  const stat = fs.statSync(bundleFile);
  const build = buildPrefix(stat);
  const name = `${build}${group}.v8`;
  const partialName = `${build}${group}-partial.v8`;
  const folders = cacheFolders();
  const full = readCache(folders, name);
  const cachedData = full ?? readCache(folders, partialName);
  const source = fs.readFileSync(bundleFile, 'latin1'); // esbuild writes ASCII only
  const script = new Script(
    `(function (exports, require, module, __filename, __dirname) { ${source}\n})`,
    { filename: bundleFile, cachedData },
  );
  const module = { exports: {} };
  script.runInThisContext()(module.exports, require, module, bundleFile, dirname(bundleFile));
  if (folders.length > 0) {
    // Made at exit, so that it holds what this command compiled on the way, not only the start.
    // A command that failed mostly stopped early (a mistyped option, no database yet) and
    // compiled little: its cache is kept as partial, and the group's first command that
    // succeeds makes the full one. Before, a first `hosts` command with a typo left every later
    // `hosts list` 30 ms slower until the next build.
    const accepted = cachedData !== undefined && !script.cachedDataRejected;
    const fullAccepted = accepted && cachedData === full;
    process.once('exit', (code) => {
      if (code === 0 && !fullAccepted)
        writeCache(folders, build, name, script.createCachedData(), partialName);
      else if (code !== 0 && !accepted)
        writeCache(folders, build, partialName, script.createCachedData());
    });
  }
  return module.exports;
}

module.exports = { cacheGroup, loadCliBundle };
