import type { ModelDefinition } from '../model/define-model.js';

/**
 * What a project's `minke.config.ts` exports. Every setting may also come from a `MINKE_*`
 * environment variable (which wins); secrets (database password) come only from the environment
 * or files.
 *
 * @example
 *   export default defineConfig({
 *     database: 'sqlite:minke.db',
 *     models: [Server, App],
 *     sessions: [ServerInfo],
 *   });
 */
export interface MinkeConfig {
  /** `sqlite:FILE` (relative to the project) or `postgres://USER@HOST:PORT/DB`. Env: MINKE_DATABASE_URL. */
  database?: string;
  models?: readonly ModelDefinition[];
  /** Session classes; see the sessions guide. */
  sessions?: readonly unknown[];
  /** Folder of agent plugin files (INI). Env: MINKE_PLUGINS_DIR. */
  pluginsDir?: string;
  /** Connection defaults for every host (the project layer of the connection config). */
  ssh?: Record<string, unknown>;
  /** Env: MINKE_LISTEN, MINKE_PORT. */
  server?: { listen?: string; port?: number };
  /** Env: MINKE_MAX_PARALLEL_HOSTS. */
  executor?: { maxParallelHosts?: number };
  /** Show tracebacks in session messages. Env: MINKE_DEBUG. */
  debug?: boolean;
}

export function defineConfig(config: MinkeConfig): MinkeConfig {
  return config;
}
