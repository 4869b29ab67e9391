// The API bench's project configuration, built the same way by the bench's server and by its
// workers (api-worker-process.ts), as every process of one deployment reads one configuration.
import { resolveConfig, type ResolvedConfig } from '../src/config/resolve-config.js';
import { benchModels, benchSessions } from './api-models.js';

export interface ApiBenchSetup {
  /** A SQLite URL, or the test PostgreSQL's (the schema is given when the project is opened). */
  database: string;
  projectDir: string;
  /** Hosts worked on at once per process that runs sessions. */
  maxParallelHosts: number;
  /** The BullMQ executor on this Redis, queue and events under `prefix`; in-process if absent. */
  queue?: { redisUrl: string; prefix: string } | undefined;
}

export function apiBenchConfig(setup: ApiBenchSetup): ResolvedConfig {
  const { queue } = setup;
  return resolveConfig(
    {
      database: setup.database,
      models: benchModels,
      sessions: benchSessions,
      executor: queue
        ? {
            kind: 'bullmq',
            redisUrl: queue.redisUrl,
            queuePrefix: queue.prefix,
            maxParallelHosts: setup.maxParallelHosts,
          }
        : { maxParallelHosts: setup.maxParallelHosts },
    },
    { projectDir: setup.projectDir, configFile: 'bench' },
    // The one setting taken from the environment: the session thread's niceness, to compare.
    { MINKE_EXECUTOR_THREAD_NICE: process.env['MINKE_EXECUTOR_THREAD_NICE'] },
  );
}
