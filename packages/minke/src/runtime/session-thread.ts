import type { MessagePort } from 'node:worker_threads';
import { runWithAuditActor } from '../audit/audit-context.js';
import { ForwardingEventBus } from '../executor/thread/forwarding-event-bus.js';
import {
  planOf,
  type FromSessionThread,
  type ToSessionThread,
} from '../executor/thread/thread-messages.js';
import type { Logger } from '../logger.js';
import { drainCounts } from '../metrics/process-counts.js';
import type { Project } from '../operations/project.js';
import { RunStore } from '../runs/run-store.js';
import { inProcessParts } from './runtime.js';
import { lowerThisThread } from './thread-priority.js';

/**
 * The session thread's side (see `ThreadExecutor`): the in-process executor and its reaper on
 * the project this thread opened, taking plans, stops and the close from `port`, its events
 * forwarded to the server's bus. Resolves once closed; the caller closes the project.
 */
export async function serveSessionThread(
  project: Project,
  port: MessagePort,
  settings: { owner: string; logger: Logger },
): Promise<void> {
  const { logger, owner } = settings;
  const tell = (message: FromSessionThread) => port.postMessage(message);
  const bus = new ForwardingEventBus(
    // The counts made so far go with the events (before the run's end reaches the server).
    (events) => tell({ type: 'events', events, counts: drainCounts() }),
    (error) => logger.error({ err: error }, 'a run event handler failed'),
  );
  const parts = inProcessParts(
    project,
    { runs: new RunStore(project.database), bus, logger },
    {
      owner,
    },
  );
  const closed = new Promise<number>((resolve) => {
    port.on('message', (message: ToSessionThread) => {
      if (message.type === 'submit') {
        try {
          const plan = planOf(message.plan, project.sessions.sessions);
          runWithAuditActor(
            () => message.actor,
            () => parts.executor.submit(plan),
          );
        } catch (error) {
          logger.error({ err: error, runId: message.plan.runId }, 'a run could not be submitted');
        }
      } else if (message.type === 'abort') parts.inProcess.abort(message.recordId, message.outcome);
      else if (message.type === 'ping') tell({ type: 'done', call: message.call });
      else if (message.type === 'idle')
        void parts.executor.idle().finally(() => {
          bus.flushNow();
          tell({ type: 'done', call: message.call });
        });
      else resolve(message.call);
    });
  });
  tell({ type: 'ready' });
  const call = await closed;
  try {
    await parts.close();
  } finally {
    await bus.close();
    tell({ type: 'done', call });
    port.close();
  }
}

/**
 * A session thread's whole life: opens the project (`open`), serves it until closed, closes it;
 * a project that cannot be opened is said to the server's side (`failed`), and the thread ends.
 */
export async function runSessionThread(
  port: MessagePort,
  settings: { owner: string; logger: Logger },
  open: () => Promise<Project>,
): Promise<void> {
  try {
    const project = await open();
    lowerThisThread(project.config.executor.threadNice, settings.logger);
    try {
      await serveSessionThread(project, port, settings);
    } finally {
      await project.close();
    }
  } catch (error) {
    const failed: FromSessionThread = { type: 'failed', message: (error as Error).message };
    port.postMessage(failed);
    process.exitCode = 1;
  }
}
