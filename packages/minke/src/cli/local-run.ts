import type { RunUser } from '../auth/run-user.js';
import { isMinkeError } from '../errors.js';
import type { DeliveredEvent, RunSummary } from '../events/run-events.js';
import type { StartedRun } from '../operations/start-run.js';
import type { Runtime } from '../runtime/runtime.js';
import type { OpenedProject } from '../runtime/open-project.js';
import { UsageError } from './cli-error.js';
import type { Out } from './output.js';
import { watchRunInDatabase } from './run-database-watch.js';
import { exitCodeOf } from './run-outcome.js';

/**
 * A run on the project itself (`minke run`, `minke runs rerun` without `--server`): starts it on
 * an in-process executor with `start`, prints each session as it finishes, then the summary and
 * what became of its notifications. Ctrl-C stops the run, twice kills. Returns the exit code.
 */
export async function runLocally(
  project: OpenedProject,
  options: {
    json: boolean;
    out: Out;
    /** The command, as the watchdog names it. */
    what: string;
    /** A first line about the started run (its number, what it is), without --json. */
    heading?: (runId: number, objects: number) => string;
  },
  start: (runtime: Runtime) => Promise<StartedRun>,
): Promise<number> {
  const { createRuntime } = await import('../runtime/runtime.js');
  const { RunPrinter } = await import('./run-printer.js');
  const { stopRunOnInterrupt } = await import('./run-interrupt.js');
  const { watchEventLoop } = await import('../runtime/loop-watchdog.js');
  const { out } = options;
  // One run, then exit: each host's connection closes as soon as its sessions are done.
  const runtime = createRuntime(project, { quiet: true, role: 'client', keepConnections: false });
  // The sessions run on this thread: one that never yields would hold Ctrl-C too.
  const watchdog = watchEventLoop({
    stallMs: project.config.executor.threadStallMs,
    what: options.what,
  });
  const events: DeliveredEvent[] = [];
  const unsubscribe = runtime.bus.subscribe((event) => events.push(event));
  try {
    // Ctrl-C from here on stops the run, also while it is being started.
    const interrupt = stopRunOnInterrupt(runtime);
    const started = await start(runtime).catch((error: unknown) => {
      interrupt.dispose();
      // What the user typed is wrong (unknown session, model, form data): a usage error.
      if (isMinkeError(error) && ['input', 'not_found', 'setup'].includes(error.code))
        throw new UsageError(error.message);
      throw error;
    });
    interrupt.watch(started.runId);
    unsubscribe();
    if (options.heading && !options.json)
      out.line(options.heading(started.runId, started.records.length));
    const printer = new RunPrinter(out, process.stdout, started.records.length);
    const summary = await untilFinished(runtime, project, started.runId, events, {
      handle: (event) => !options.json && printer.handle(event),
    });
    interrupt.dispose();
    await interrupt.settled();
    // No server heard this run: its notifications are queued and sent from here.
    const { announceRun } = await import('../notifications/announce-run.js');
    const { deliveryLines } = await import('../notifications/delivery-lines.js');
    const notified = await announceRun(project, runtime.logger, started.runId);
    if (options.json) {
      // Every object's record, oldest first, as the run's API reply (and `--server`) has them.
      const { getRun } = await import('../runs/list-runs.js');
      const { sessions } = await getRun(project.database, started.runId);
      out.json({
        runId: started.runId,
        session: started.session.name,
        model: started.model,
        summary,
        records: sessions,
        notifications: notified,
      });
    } else {
      printer.summary(summary);
      for (const line of deliveryLines(notified)) out.line(line);
    }
    return exitCodeOf(summary);
  } finally {
    unsubscribe();
    await runtime.close();
    await watchdog.stop();
  }
}

/**
 * The run's summary once it has finished, each event handed on once: from the bus (`earlier`:
 * what it carried before the run was known), and from the database as well, since a bus whose
 * Redis is away carries no events while the records still tell.
 */
function untilFinished(
  runtime: Runtime,
  project: OpenedProject,
  runId: number,
  earlier: readonly DeliveredEvent[],
  printer: { handle: (event: DeliveredEvent) => void },
): Promise<RunSummary> {
  const told = new Set<number>();
  const busDone = new AbortController();
  // Subscribed at once: the caller has just stopped the bus's buffer of earlier events.
  const finished = new Promise<RunSummary>((resolve) => {
    const onEvent = (event: DeliveredEvent) => {
      if (event.runId !== runId) return;
      if (event.type === 'session.finished') told.add(event.recordId);
      printer.handle(event);
      if (event.type === 'run.finished') resolve(event.summary);
    };
    runtime.bus.subscribe(onEvent);
    for (const event of earlier) onEvent(event);
    void watchRunInDatabase(project.database, runId, {
      printed: told,
      emit: (event) => printer.handle(event),
      signal: busDone.signal,
    }).then((fromDatabase) => fromDatabase && resolve(fromDatabase));
  });
  return finished.finally(() => busDone.abort());
}

/**
 * Who a command on the project acts as: the `--user` flag's user, else MINKE_CLI_USER's, with
 * their permissions; undefined for the local operator (neither given).
 */
export async function cliRunUser(
  project: Pick<OpenedProject, 'permissions' | 'users'>,
  flag?: string,
): Promise<RunUser | undefined> {
  const username = flag ?? process.env['MINKE_CLI_USER'];
  if (username === undefined || username === '') return undefined;
  return project.permissions.runUser(await project.users.get(username));
}
