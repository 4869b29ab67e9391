import { createRequire } from 'node:module';

/** This agent's version, from its package.json (one level above both `src/` and `dist/`). */
export const AGENT_VERSION: string = (() => {
  try {
    const pkg = createRequire(import.meta.url)('../package.json') as { version?: unknown };
    return typeof pkg.version === 'string' ? pkg.version : '0.0.0';
  } catch {
    return '0.0.0';
  }
})();
