// The session thread of the API bench's `--executor thread`: what `minke start`'s thread does
// (src/runtime/session-thread-main.ts) on the bench's project, which has no config file: the
// bench's settings come in workerData.
import { isMainThread, workerData } from 'node:worker_threads';
import { createLogger } from '../src/logger.js';
import { openProject } from '../src/runtime/open-project.js';
import { runSessionThread } from '../src/runtime/session-thread.js';
import type { SessionThreadData } from '../src/runtime/session-thread-spec.js';
import { apiBenchConfig, type ApiBenchSetup } from './api-config.js';

export interface ApiSessionThreadData extends SessionThreadData {
  setup: ApiBenchSetup;
  /** The PostgreSQL schema the bench made, if any. */
  schema?: string | undefined;
}

if (isMainThread) throw new Error('api-session-thread is the entry of a worker thread');
const data = workerData as ApiSessionThreadData;
const { port } = data;
const logger = createLogger({ level: process.env['MINKE_LOG_LEVEL'] ?? 'warn' });
await runSessionThread(port, { owner: data.owner, logger }, () =>
  openProject(apiBenchConfig(data.setup), {
    migrate: false,
    ...(data.schema ? { schema: data.schema } : {}),
  }),
);
