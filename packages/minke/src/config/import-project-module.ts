import { register } from 'node:module';
import { pathToFileURL } from 'node:url';
import { tsImport } from 'tsx/esm/api';

/** Where the running Minke leaves its modules for the project's `import ... from 'minke'`. */
const runningMinke = Symbol.for('minke.running-module');
const runningZod = Symbol.for('minke.running-zod');

let registration: Promise<void> | undefined;

/**
 * A project imports `minke` (and may import `zod`) without a node_modules of its own. tsx loads
 * each project in a namespace of its own (`?tsx-namespace=...` on every URL below it), so
 * resolving `minke` to a file would evaluate a second copy of Minke, whose classes fail every
 * `instanceof` of the running one (a `SessionError` looked like a bug in session code). Instead
 * `minke` resolves to a small module that re-exports the running Minke's exports, which this
 * process keeps on `globalThis`: the project and the CLI share one instance. Other bare imports
 * the project cannot resolve fall back to the running Minke's dependencies.
 */
function registerMinkeResolution(): Promise<void> {
  registration ??= registerBridges();
  return registration;
}

async function registerBridges(): Promise<void> {
  const minkeBridge = await bridgeTo(runningMinke, import('../index.js'));
  const zodBridge = await bridgeTo(runningZod, import('zod'));
  const hook = `
    const minkeBridge = ${JSON.stringify(minkeBridge)};
    const zodBridge = ${JSON.stringify(zodBridge)};
    const fallbackParent = ${JSON.stringify(import.meta.url)};
    export async function resolve(specifier, context, next) {
      if (specifier === 'minke') return { url: minkeBridge, format: 'module', shortCircuit: true };
      try {
        return await next(specifier, context);
      } catch (error) {
        const bare = !specifier.startsWith('.') && !specifier.startsWith('/') && !specifier.includes(':');
        if (!bare || error?.code !== 'ERR_MODULE_NOT_FOUND') throw error;
        // A project without a zod of its own shares Minke's, as its schemas meet Minke's code.
        if (specifier === 'zod') return { url: zodBridge, format: 'module', shortCircuit: true };
        return next(specifier, { ...context, parentURL: fallbackParent });
      }
    }`;
  register(`data:text/javascript,${encodeURIComponent(hook)}`);
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

/** Imports a TypeScript (or JavaScript) file of a user project, with no build step. */
export async function importProjectModule(file: string): Promise<Record<string, unknown>> {
  await registerMinkeResolution();
  return (await tsImport(pathToFileURL(file).href, import.meta.url)) as Record<string, unknown>;
}
