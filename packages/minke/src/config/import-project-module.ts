import { register } from 'node:module';
import { pathToFileURL } from 'node:url';
import { tsImport } from 'tsx/esm/api';

let hookRegistered = false;

/**
 * A project imports `minke` (and may import `zod`) without a node_modules of its own: resolve such
 * bare imports to the Minke that is running, so the project and the CLI share one copy.
 */
function registerMinkeResolution(): void {
  if (hookRegistered) return;
  hookRegistered = true;
  const self = import.meta.url;
  const extension = self.endsWith('.ts') ? '.ts' : '.js';
  const minkeEntry = new URL(`../index${extension}`, self).href;
  const hook = `
    const minkeEntry = ${JSON.stringify(minkeEntry)};
    const fallbackParent = ${JSON.stringify(self)};
    export async function resolve(specifier, context, next) {
      if (specifier === 'minke') return { url: minkeEntry, shortCircuit: true };
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

/** Imports a TypeScript (or JavaScript) file of a user project, with no build step. */
export async function importProjectModule(file: string): Promise<Record<string, unknown>> {
  registerMinkeResolution();
  return (await tsImport(pathToFileURL(file).href, import.meta.url)) as Record<string, unknown>;
}
