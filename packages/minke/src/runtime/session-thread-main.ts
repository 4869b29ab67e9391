// The entry module of `minke start`'s session thread (see `ThreadExecutor`): opens the project
// the server opened (already migrated), then runs its sessions until told to close.
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { createLogger } from '../logger.js';
import type { FromSessionThread } from '../executor/thread/thread-messages.js';
import { loadProjectConfig } from './load-project.js';
import { openProject } from './open-project.js';
import { serveSessionThread } from './session-thread.js';
import type { SessionThreadData } from './session-thread-spec.js';

/** What `minke start` gives its session thread. */
export interface ProjectThreadData extends SessionThreadData {
  projectDir: string;
  /** The server's log format (this thread's stderr is no terminal to decide by). */
  logFormat: 'pretty' | 'json';
}

/** Opens the project and serves the thread; says why it could not (then the thread ends). */
async function runSessionThread(port: MessagePort, data: ProjectThreadData): Promise<void> {
  process.env['MINKE_LOG_FORMAT'] = data.logFormat; // this thread's copy of the environment
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
}

// Imported outside a worker thread (a check that every chunk of the bundle loads), it does nothing.
if (parentPort) await runSessionThread(parentPort, workerData as ProjectThreadData);
