import { register } from 'node:module';
import { pathToFileURL } from 'node:url';
import { tsImport } from 'tsx/esm/api';

/** Where the running Minke leaves its public module for the project's `import ... from 'minke'`. */
const runningMinke = Symbol.for('minke.running-module');

let hookRegistered = false;

/**
 * A project imports `minke` (and may import `zod`) without a node_modules of its own. tsx loads
 * each project in a namespace of its own (`?tsx-namespace=...` on every URL below it), so
 * resolving `minke` to a file would evaluate a second copy of Minke, whose classes fail every
 * `instanceof` of the running one (a `SessionError` looked like a bug in session code). Instead
 * `minke` resolves to a small module that re-exports the running Minke's exports, which this
 * process keeps on `globalThis`: the project and the CLI share one instance. Other bare imports
 * the project cannot resolve fall back to the running Minke's dependencies.
 */
async function registerMinkeResolution(): Promise<void> {
  if (hookRegistered) return;
  hookRegistered = true;
  const minke = (await import('../index.js')) as Record<string, unknown>;
  (globalThis as Record<symbol, unknown>)[runningMinke] = minke;
  const bridge = minkeBridgeSource(Object.keys(minke));
  const bridgeUrl = `data:text/javascript,${encodeURIComponent(bridge)}`;
  const hook = `
    const bridgeUrl = ${JSON.stringify(bridgeUrl)};
    const fallbackParent = ${JSON.stringify(import.meta.url)};
    export async function resolve(specifier, context, next) {
      if (specifier === 'minke') return { url: bridgeUrl, format: 'module', shortCircuit: true };
      try {
        return await next(specifier, context);
      } catch (error) {
        const bare = !specifier.startsWith('.') && !specifier.startsWith('/') && !specifier.includes(':');
        if (!bare || error?.code !== 'ERR_MODULE_NOT_FOUND') throw error;
        return next(specifier, { ...context, parentURL: fallbackParent });
      }
    }`;
  register(`data:text/javascript,${encodeURIComponent(hook)}`);
}

/** A module whose exports are the running Minke's, by name (`export *` would load a copy). */
function minkeBridgeSource(names: readonly string[]): string {
  const safe = names.filter((name) => /^[A-Za-z_$][\w$]*$/.test(name) && name !== 'default');
  const key = JSON.stringify(runningMinke.description);
  return [
    `const minke = globalThis[Symbol.for(${key})];`,
    `if (!minke) throw new Error('minke: a project module was loaded outside the minke command');`,
    `export const { ${safe.join(', ')} } = minke;`,
  ].join('\n');
}

/** Imports a TypeScript (or JavaScript) file of a user project, with no build step. */
export async function importProjectModule(file: string): Promise<Record<string, unknown>> {
  await registerMinkeResolution();
  return (await tsImport(pathToFileURL(file).href, import.meta.url)) as Record<string, unknown>;
}
