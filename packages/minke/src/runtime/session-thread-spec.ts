/** Where a session thread starts, and what its entry module needs to open the project. */
export interface SessionThreadSpec {
  /** The entry module; or code evaluated as the entry (a bench under a TypeScript loader: worker
   * threads do not inherit the loader, the code registers it and imports the module). */
  entry: URL | { code: string };
  workerData: Record<string, unknown>;
}

import type { MessagePort } from 'node:worker_threads';

/** What every session thread is given, besides its entry's own settings. */
export interface SessionThreadData {
  /** Its name in `minke_executor_owners` (chosen by the server's side, which may reap it). */
  owner: string;
  /** Its channel with the server's thread, both ways (see `ThreadExecutor.takeEvents`). */
  port: MessagePort;
  [setting: string]: unknown;
}
