import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { SetupError } from '../errors.js';
import { importProjectModule } from './import-project-module.js';
import { resolveConfig, type ResolvedConfig } from '../config/resolve-config.js';

export const CONFIG_FILE = 'minke.config.ts';

/** The project folder: the one given, or the nearest folder at or above `from` with a config. */
export function findProjectDir(explicit: string | undefined, from: string = process.cwd()): string {
  if (explicit !== undefined) {
    const dir = resolve(explicit);
    if (!existsSync(join(dir, CONFIG_FILE))) {
      throw new SetupError(
        `${dir} is not a Minke project: it has no ${CONFIG_FILE} (create one with \`minke init ${explicit}\`)`,
      );
    }
    return dir;
  }
  let dir = resolve(from);
  for (let depth = 0; depth < 64; depth++) {
    if (existsSync(join(dir, CONFIG_FILE))) return dir;
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  throw new SetupError(
    `no ${CONFIG_FILE} here or in any folder above: run \`minke init\`, or pass --project DIR`,
  );
}

/** Loads and checks a project's configuration (TypeScript, no build step). */
export async function loadProjectConfig(
  projectDir: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<ResolvedConfig> {
  const configFile = join(projectDir, CONFIG_FILE);
  checkModuleType(projectDir);
  let module: Record<string, unknown>;
  try {
    module = await importProjectModule(configFile, projectDir);
  } catch (error) {
    const message = (error as Error).message.split('\n')[0] ?? String(error);
    throw new SetupError(`cannot load ${configFile}: ${message}`, { cause: error });
  }
  if (!('default' in module)) {
    throw new SetupError(
      `${configFile} has no default export: end it with \`export default defineConfig({ ... })\``,
    );
  }
  return resolveConfig(module['default'], { projectDir, configFile }, env);
}

/** Project files are ES modules; without `"type": "module"` TypeScript files load as CommonJS. */
function checkModuleType(projectDir: string): void {
  const file = join(projectDir, 'package.json');
  let type: unknown;
  try {
    type = (JSON.parse(readFileSync(file, 'utf8')) as { type?: unknown }).type;
  } catch {
    type = undefined;
  }
  if (type !== 'module') {
    throw new SetupError(
      `${file} must exist and say "type": "module" (Minke projects are ES modules); \`minke init\` writes one`,
    );
  }
}
