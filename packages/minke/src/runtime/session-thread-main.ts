// The entry module of `minke start`'s session thread (see `ThreadExecutor`): opens the project
// the server opened (already migrated), then runs its sessions until told to close.
import { parentPort, workerData } from 'node:worker_threads';
import { createLogger } from '../logger.js';
import type { FromSessionThread } from '../executor/thread/thread-messages.js';
import { loadProjectConfig } from './load-project.js';
import { openProject } from './open-project.js';
import { serveSessionThread, type SessionThreadData } from './session-thread.js';

/** What `minke start` gives its session thread. */
export interface ProjectThreadData extends SessionThreadData {
  projectDir: string;
}

const port = parentPort;
if (!port) throw new Error('session-thread-main is the entry of a worker thread');
const data = workerData as ProjectThreadData;
const logger = createLogger().child({ thread: 'sessions' });
try {
  const project = await openProject(await loadProjectConfig(data.projectDir), { logger });
  try {
    await serveSessionThread(project, port, { owner: data.owner, logger });
  } finally {
    await project.close();
  }
} catch (error) {
  const failed: FromSessionThread = { type: 'failed', message: (error as Error).message };
  port.postMessage(failed);
  process.exitCode = 1;
}
