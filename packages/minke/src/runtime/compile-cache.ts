import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { basename, dirname, extname, join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Plugin } from 'esbuild';
import { tightenMode } from '../store/sqlite/private-files.js';

/**
 * A project's TypeScript compiled once into one ES module under `.minke/compiled/` and reused until
 * one of its files changes: loading esbuild (or tsx) and compiling on every command cost most of a
 * CLI command's start-up. The manifest beside the module records the content hash of every file
 * that went into it and of the module itself; anything that does not match (an edited file, a
 * damaged manifest or module, another Minke) means a fresh build, never an error.
 */
export interface CompileOptions {
  projectDir: string;
  /**
   * Where bare imports that must not be bundled go: `minke` (and `zod` for a project without its
   * own) to the running Minke's instance. Part of the cache key.
   */
  bridges: Readonly<Record<string, string>>;
  /**
   * Bridges used only when the project cannot resolve the name itself, or resolves it to the very
   * copy Minke has installed (`fallbackResolve` finds the same file): `zod`. A project with a zod
   * of its own elsewhere keeps it.
   */
  fallbackBridges: ReadonlySet<string>;
  /** Where a bare import the project cannot resolve is looked up instead (Minke's dependencies). */
  fallbackResolve: (specifier: string) => Promise<string | undefined>;
  /** Anything else the compiled module depends on (Minke's version). */
  salt: string;
}

interface Manifest {
  format: typeof MANIFEST_FORMAT;
  key: string;
  inputs: Record<string, string>;
  output: string;
  outputHash: string;
}

// 2: a project's zod that is Minke's installed copy is bridged to the zod Minke runs (bundled).
const MANIFEST_FORMAT = 2;

/** The file URL of `entry` compiled to JavaScript: from the cache when still valid, else built. */
export async function compiledModuleUrl(entry: string, options: CompileOptions): Promise<string> {
  const dir = cacheDir(options.projectDir);
  const stem = digest(relative(options.projectDir, entry)).slice(0, 16);
  const manifestFile = join(dir, `${stem}.json`);
  const key = digest(JSON.stringify({ bridges: options.bridges, salt: options.salt }));
  const cached = validCachedModule(dir, manifestFile, key);
  if (cached !== undefined) return pathToFileURL(cached).href;
  const previous = readManifest(manifestFile);
  const built = await build(entry, options);
  const outputHash = digest(built.code);
  // A new name per content: a process that loaded an older build keeps its module, and a module
  // URL Node has cached never stands for other code.
  const output = `${stem}-${outputHash.slice(0, 16)}.mjs`;
  writePrivate(join(dir, output), built.code);
  const manifest: Manifest = {
    format: MANIFEST_FORMAT,
    key,
    inputs: built.inputs,
    output,
    outputHash,
  };
  writePrivate(manifestFile, JSON.stringify(manifest));
  if (previous && previous.output !== output && isOwnFileName(previous.output))
    rmSync(join(dir, previous.output), { force: true });
  return pathToFileURL(join(dir, output)).href;
}

/** `.minke/compiled`, the owner's only: what is cached there runs as the project's code. */
function cacheDir(projectDir: string): string {
  const minkeDir = join(projectDir, '.minke');
  const dir = join(minkeDir, 'compiled');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  // A loose `.minke` itself is tightened, with a warning, when the project is opened; what is
  // cached is protected by this folder's own mode.
  tightenMode(dir, 0o700);
  return dir;
}

function validCachedModule(dir: string, manifestFile: string, key: string): string | undefined {
  const manifest = readManifest(manifestFile);
  if (!manifest || manifest.key !== key || !isOwnFileName(manifest.output)) return undefined;
  for (const [file, hash] of Object.entries(manifest.inputs)) {
    if (fileDigest(file) !== hash) return undefined;
  }
  const output = join(dir, manifest.output);
  return fileDigest(output) === manifest.outputHash ? output : undefined;
}

function readManifest(file: string): Manifest | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return undefined; // missing or damaged: build again
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const m = parsed as Partial<Manifest>;
  const inputsOk =
    typeof m.inputs === 'object' &&
    m.inputs !== null &&
    Object.values(m.inputs).every((value) => typeof value === 'string');
  if (
    m.format !== MANIFEST_FORMAT ||
    typeof m.key !== 'string' ||
    typeof m.output !== 'string' ||
    typeof m.outputHash !== 'string' ||
    !inputsOk
  )
    return undefined;
  return m as Manifest;
}

/** A manifest names a module in its own folder, never a path elsewhere. */
function isOwnFileName(name: string): boolean {
  return basename(name) === name && name.endsWith('.mjs');
}

async function build(
  entry: string,
  options: CompileOptions,
): Promise<{ code: string; inputs: Record<string, string> }> {
  const esbuild = await import('esbuild');
  const inputs: Record<string, string> = {};
  let result;
  try {
    result = await esbuild.build({
      entryPoints: [entry],
      absWorkingDir: options.projectDir,
      bundle: true,
      format: 'esm',
      platform: 'node',
      target: `node${process.versions.node}`,
      write: false,
      logLevel: 'silent',
      // Stack traces (MINKE_DEBUG=1) point at the project's own files and lines.
      sourcemap: 'inline',
      sourcesContent: false,
      plugins: [projectPlugin(options, inputs)],
    });
  } catch (error) {
    throw new Error(buildFailure(error, options.projectDir), { cause: error });
  }
  const code = result.outputFiles[0]?.text ?? '';
  return { code, inputs };
}

/** esbuild's first error as `file:line:column: text`, the way tsx reported it. */
function buildFailure(error: unknown, projectDir: string): string {
  const first = (error as { errors?: { text: string; location?: Location | null }[] }).errors?.[0];
  if (!first) return error instanceof Error ? error.message : String(error);
  const where = first.location
    ? `${relative(projectDir, join(projectDir, first.location.file))}:${first.location.line}:${first.location.column + 1}: `
    : '';
  return `${where}${first.text}`;
}

interface Location {
  file: string;
  line: number;
  column: number;
}

const SELF = Symbol('minke-project-resolution');

/**
 * Bundles the project's own files; every package import stays an import, pointed at the file the
 * project resolves it to (or the running Minke's copy, for `minke` and for what the project lacks),
 * so the module can run from the cache folder and shares one Minke with the CLI.
 */
function projectPlugin(options: CompileOptions, inputs: Record<string, string>): Plugin {
  return {
    name: 'minke-project',
    setup(b) {
      b.onResolve({ filter: /^[^./]/ }, async (args) => {
        if (args.pluginData === SELF || isBuiltin(args.path)) return undefined;
        const bridge = options.bridges[args.path];
        if (bridge !== undefined && !options.fallbackBridges.has(args.path))
          return { path: bridge, external: true };
        const own = await b.resolve(args.path, {
          kind: args.kind,
          resolveDir: args.resolveDir,
          importer: args.importer,
          pluginData: SELF,
        });
        if (own.errors.length === 0 && own.path) {
          const path = own.external ? own.path : pathToFileURL(own.path).href;
          // Minke's own copy is the one Minke runs, which may be read into its bundle: the project
          // gets that instance, not a second one from the same files.
          if (bridge !== undefined && path === (await options.fallbackResolve(args.path)))
            return { path: bridge, external: true };
          return { path, external: true };
        }
        const fallback = bridge ?? (await options.fallbackResolve(args.path));
        return fallback === undefined ? undefined : { path: fallback, external: true };
      });
      // Every bundled file is an input of the cache; `import.meta.url` keeps meaning the file's own
      // place (sessions find files beside them), not the cache folder's.
      b.onLoad({ filter: /\.[cm]?[jt]sx?$/ }, (args) => {
        const source = readFileSync(args.path);
        inputs[args.path] = digest(source);
        const url = pathToFileURL(args.path).href;
        const contents = source
          .toString('utf8')
          .replace(/\bimport\.meta\.url\b/g, JSON.stringify(url))
          .replace(/\bimport\.meta\.filename\b/g, JSON.stringify(args.path))
          .replace(/\bimport\.meta\.dirname\b/g, JSON.stringify(dirname(args.path)));
        return { contents, loader: loaderFor(args.path), resolveDir: dirname(args.path) };
      });
      b.onLoad({ filter: /\.json$/ }, (args) => {
        const source = readFileSync(args.path);
        inputs[args.path] = digest(source);
        return { contents: source, loader: 'json' };
      });
    },
  };
}

function loaderFor(file: string): 'ts' | 'tsx' | 'js' | 'jsx' {
  const ext = extname(file);
  if (ext === '.tsx') return 'tsx';
  if (ext === '.jsx') return 'jsx';
  return ext.endsWith('ts') ? 'ts' : 'js';
}

function fileDigest(file: string): string | undefined {
  try {
    return digest(readFileSync(file));
  } catch {
    return undefined;
  }
}

function digest(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Written whole or not at all (a crash mid-write leaves no half module), owner-only. */
function writePrivate(file: string, data: string): void {
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, data, { mode: 0o600 });
  renameSync(temporary, file);
}
