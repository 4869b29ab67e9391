import type { Command } from 'commander';
import { isMinkeError } from '../../errors.js';
import type { DeliveredEvent, RunSummary } from '../../events/run-events.js';
import type { BatchPolicy } from '@minke/contract';
import { UsageError } from '../cli-error.js';
import { readConnectionFile } from '../connection-file.js';
import { confirmRun, selectionText } from '../run-confirm.js';
import { exitCodeOf } from '../run-outcome.js';
import { stdoutOut } from '../output.js';
import { parseCount, parseLimit } from '../count-flags.js';
import { withProject, type GlobalOptions } from '../project-context.js';
import { remoteTarget, type RemoteTarget } from '../remote/remote-target.js';

interface RunOptions {
  model?: string;
  where?: string;
  all?: boolean;
  id?: string[];
  offset?: string;
  limit?: string;
  data?: string[];
  json?: boolean;
  user?: string;
  connectionFile?: string;
  yes?: boolean;
  batch?: string;
  maxFail?: string;
  batchPause?: string;
  timeout?: string;
}

/**
 * Exit codes: 0 every session did its work, 1 one ended in error or was stopped or canceled (the
 * summary line tells which), 2 a usage or setup mistake.
 */
export function registerRunCommand(program: Command): void {
  program
    .command('run <session>')
    .description(
      "run a session on objects: prints each result as it finishes; Ctrl-C stops, twice kills (with --server: through that server, as the token's user)",
    )
    .option('--model <model>', 'the model, when the session works on several')
    .option('--where <expr>', 'objects that match, e.g. "server.host.name = web-1"')
    .option('--all', 'every object of the model')
    .option('--id <id...>', 'record ids (host names for hosts)')
    .option('-o, --offset <n>', 'a page of the selection, in id order: skip this many')
    .option('-l, --limit <n>', 'a page of the selection, in id order: at most this many')
    .option('--data <key=value...>', "form data, typed by the session's form")
    .option(
      '--connection-file <file>',
      'run-time connection values for this run only (YAML/JSON, mode 600), e.g. sudo: { password: ... }',
    )
    .option('--batch <size>', 'roll out in batches: a count (5) or a share of the objects (10%)')
    .option('--max-fail <n>', 'with --batch: no new batch once more than this many failed (2, 5%)')
    .option('--batch-pause <seconds>', 'with --batch: wait this long between batches')
    .option(
      '--timeout <limit>',
      "a time limit per object (90s, 30m, 2h): past it a session is stopped and fails (the session's own limit, if shorter, counts)",
    )
    .option('-y, --yes', 'start a session marked `confirm` without asking')
    .option('--json', 'print the outcome as JSON')
    .option(
      '--user <name>',
      'run as this user, with their permissions (default: MINKE_CLI_USER, else the local operator)',
    )
    .action(async (sessionName: string, options: RunOptions) => {
      const out = stdoutOut();
      const selection = selectionOf(options);
      // The batch policy is checked by the contract's schema: zod loads only for a run.
      const { batchPolicyOf } = await import('../batch-flags.js');
      const batch = batchPolicyOf(options);
      const { timeLimitFlag } = await import('../time-limit-flag.js');
      const timeoutMs = timeLimitFlag(options.timeout);
      const remote = remoteTarget(program.opts<GlobalOptions>());
      if (remote) {
        process.exitCode = await runThroughServer(remote, sessionName, options, {
          ...selection,
          ...(batch ? { batch } : {}),
          ...(timeoutMs === undefined ? {} : { timeoutMs }),
        });
        return;
      }
      const { parseRunData } = await import('../run-data.js');
      const { startRun } = await import('../../operations/start-run.js');
      const { createRuntime } = await import('../../runtime/runtime.js');
      const { RunPrinter } = await import('../run-printer.js');
      const { watchRunInDatabase } = await import('../run-database-watch.js');
      const { stopRunOnInterrupt } = await import('../run-interrupt.js');
      const { watchEventLoop } = await import('../../runtime/loop-watchdog.js');
      await withProject(program.opts<GlobalOptions>(), {}, async (project) => {
        // One run, then exit: each host's connection closes as soon as its sessions are done.
        const runtime = createRuntime(project, {
          quiet: true,
          role: 'client',
          keepConnections: false,
        });
        // The sessions run on this thread: one that never yields would hold Ctrl-C too.
        const watchdog = watchEventLoop({
          stallMs: project.config.executor.threadStallMs,
          what: 'minke run',
        });
        const events: DeliveredEvent[] = [];
        const unsubscribe = runtime.bus.subscribe((event) => events.push(event));
        try {
          const info = project.sessions.sessions.get(sessionName);
          const username = options.user ?? process.env['MINKE_CLI_USER'];
          const user =
            username === undefined
              ? undefined
              : await project.permissions.runUser(await project.users.get(username));
          const data = parseRunData(options.data ?? [], info?.cls.form);
          if (info)
            await confirmRun({
              session: info.name,
              verboseName: info.verboseName,
              confirm: info.confirm,
              selection: selectionText(options),
              yes: options.yes === true,
            });
          const connection =
            options.connectionFile === undefined
              ? undefined
              : await readConnectionFile(options.connectionFile);
          // Ctrl-C from here on stops the run, also while it is being started.
          const interrupt = stopRunOnInterrupt(runtime);
          const started = await startRun(runtime, {
            session: sessionName,
            ...selection,
            data,
            connection,
            user,
            batch,
            timeoutMs,
          }).catch((error: unknown) => {
            interrupt.dispose();
            // What the user typed is wrong (unknown session, model, form data): a usage error.
            if (isMinkeError(error) && ['input', 'not_found', 'setup'].includes(error.code))
              throw new UsageError(error.message);
            throw error;
          });
          interrupt.watch(started.runId);
          unsubscribe();
          const printer = new RunPrinter(out, process.stdout, started.records.length);
          // The database too: a bus whose Redis is away carries no events, the records still tell.
          const told = new Set<number>();
          const busDone = new AbortController();
          const summary = await new Promise<RunSummary>((resolve) => {
            const onEvent = (event: DeliveredEvent) => {
              if (event.runId !== started.runId) return;
              if (event.type === 'session.finished') told.add(event.recordId);
              if (!options.json) printer.handle(event);
              if (event.type === 'run.finished' && event.runId === started.runId) {
                busDone.abort();
                resolve(event.summary);
              }
            };
            runtime.bus.subscribe(onEvent);
            for (const event of events) onEvent(event);
            void watchRunInDatabase(project.database, started.runId, {
              printed: told,
              emit: (event) => !options.json && printer.handle(event),
              signal: busDone.signal,
            }).then((fromDatabase) => fromDatabase && resolve(fromDatabase));
          });
          busDone.abort();
          interrupt.dispose();
          await interrupt.settled();
          // No server heard this run: its notifications are queued and sent from here.
          const { announceRun } = await import('../../notifications/announce-run.js');
          const { deliveryLines } = await import('../../notifications/delivery-lines.js');
          const notified = await announceRun(project, runtime.logger, started.runId);
          if (options.json) {
            // Every object's record, oldest first, as the run's API reply (and `--server`) has them.
            const { getRun } = await import('../../runs/list-runs.js');
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
          process.exitCode = exitCodeOf(summary);
        } finally {
          unsubscribe();
          await runtime.close();
          await watchdog.stop();
        }
      });
    });
}

/** The objects a run is asked for, as both the project and the API take them. */
interface RunSelection {
  model: string | undefined;
  ids: string[] | undefined;
  where: string | undefined;
  all: boolean | undefined;
  offset?: number;
  limit?: number;
}

/** Checks the selection flags before anything is loaded; returns the selection asked for. */
function selectionOf(options: RunOptions): RunSelection {
  const chosen = [options.id !== undefined, options.where !== undefined, options.all === true];
  if (chosen.filter(Boolean).length !== 1)
    throw new UsageError('select objects with exactly one of: --id, --where, --all');
  return {
    model: options.model,
    ids: options.id,
    where: options.where,
    all: options.all,
    ...(options.offset === undefined ? {} : { offset: parseCount(options.offset, '--offset') }),
    ...(options.limit === undefined ? {} : { limit: parseLimit(options.limit) }),
  };
}

/** `minke run --server URL`: the same run through the API, as the token's user. */
async function runThroughServer(
  remote: RemoteTarget,
  session: string,
  options: RunOptions,
  selection: RunSelection & { batch?: BatchPolicy; timeoutMs?: number },
): Promise<number> {
  if (options.user !== undefined)
    throw new UsageError(
      '--user does not apply with --server: the run is made as the user of the token',
    );
  const { ApiClient } = await import('../remote/api-client.js');
  const { runRemotely } = await import('../remote/remote-run.js');
  const { parseRunDataBySchema } = await import('../run-data.js');
  const client = new ApiClient(remote);
  const entry = await catalogEntry(client, session);
  const data =
    options.data === undefined || options.data.length === 0
      ? {}
      : parseRunDataBySchema(options.data, entry?.form);
  if (entry)
    await confirmRun({
      session,
      verboseName: entry.verboseName,
      confirm: entry.confirm,
      selection: selectionText(options),
      yes: options.yes === true,
    });
  return runRemotely(
    client,
    {
      session,
      ...selection,
      data,
      connection:
        options.connectionFile === undefined
          ? undefined
          : await readConnectionFile(options.connectionFile),
    },
    { json: options.json ?? false, out: stdoutOut(), stream: process.stdout },
  );
}

/** The session as the server describes it (undefined when it is not in the caller's catalog). */
async function catalogEntry(
  client: { get<T>(path: string): Promise<T> },
  session: string,
): Promise<{ form: unknown; verboseName: string; confirm: boolean } | undefined> {
  const catalog =
    await client.get<{ name: string; form: unknown; verboseName: string; confirm: boolean }[]>(
      '/api/sessions',
    );
  // Not there: unknown, or not the caller's to run; the server says which when the run is asked.
  return catalog.find((entry) => entry.name === session);
}
