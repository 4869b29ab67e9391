// What `minke start`'s session thread runs (see `ThreadExecutor`): opens the project the server
// opened (already migrated), then runs its sessions until told to close. The thread's entry is
// bin/session-thread.js under the CLI bundle, ./session-thread-worker.js without it.
import { isMainThread, workerData, type MessagePort } from 'node:worker_threads';
import { createLogger } from '../logger.js';
import { loadProjectConfig } from './load-project.js';
import { openProject } from './open-project.js';
import { runSessionThread } from './session-thread.js';
import type { SessionThreadData } from './session-thread-spec.js';

/** What `minke start` gives its session thread. */
export interface ProjectThreadData extends SessionThreadData {
  projectDir: string;
  /** The server's log format (this thread's stderr is no terminal to decide by). */
  logFormat: 'pretty' | 'json';
}

/** Opens the project the server opened and runs its sessions until told to close. */
async function sessionThreadOfProject(port: MessagePort, data: ProjectThreadData): Promise<void> {
  process.env['MINKE_LOG_FORMAT'] = data.logFormat; // this thread's copy of the environment
  const logger = createLogger().child({ thread: 'sessions' });
  await runSessionThread(port, { owner: data.owner, logger }, async () =>
    openProject(await loadProjectConfig(data.projectDir), { logger }),
  );
}

/** The thread's work, in the worker thread `minke start` made; outside one it does nothing. */
export async function sessionThreadMain(): Promise<void> {
  if (isMainThread) return;
  const data = workerData as ProjectThreadData;
  await sessionThreadOfProject(data.port, data);
}
