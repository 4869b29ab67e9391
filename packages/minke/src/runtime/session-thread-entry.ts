import { stderrLogFormat } from '../logger.js';
import type { Project } from '../operations/project.js';
import type { SessionThreadSpec } from './session-thread-spec.js';

/**
 * Set by the CLI bundle (scripts/bundle-cli.js): the session thread's entry under the bundle
 * (bin/session-thread.js), relative to this file's place in dist/. Without the bundle, the
 * compiled module beside this one.
 */
declare const MINKE_SESSION_THREAD_ENTRY: string | undefined;

function sessionThreadEntry(): URL {
  return typeof MINKE_SESSION_THREAD_ENTRY === 'string'
    ? new URL(MINKE_SESSION_THREAD_ENTRY, import.meta.url)
    : new URL('./session-thread-worker.js', import.meta.url);
}

/**
 * The session thread of `minke start` (`executor.thread`, on by default), or undefined where
 * sessions run in the server's own thread: turned off, the BullMQ executor (workers run them),
 * or a database in memory (a thread could not share it).
 */
export function projectSessionThread(project: Project): SessionThreadSpec | undefined {
  const { executor, database } = project.config;
  if (!executor.thread || executor.kind !== 'in-process' || database.url === 'sqlite::memory:')
    return undefined;
  return {
    entry: sessionThreadEntry(),
    workerData: { projectDir: project.config.projectDir, logFormat: stderrLogFormat() },
  };
}
