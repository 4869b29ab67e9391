import type { Command } from 'commander';
import type { BatchPolicy } from '@minke/contract';
import { UsageError } from '../cli-error.js';
import { readConnectionFile } from '../connection-file.js';
import { confirmRun, selectionText } from '../run-confirm.js';
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
      const { runLocally, cliRunUser } = await import('../local-run.js');
      await withProject(program.opts<GlobalOptions>(), {}, async (project) => {
        const info = project.sessions.sessions.get(sessionName);
        const user = await cliRunUser(project, options.user);
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
        process.exitCode = await runLocally(
          project,
          { json: options.json === true, out, what: 'minke run' },
          (runtime) =>
            startRun(runtime, {
              session: sessionName,
              ...selection,
              data,
              connection,
              user,
              batch,
              timeoutMs,
            }),
        );
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
  const { runRemotely, catalogEntry } = await import('../remote/remote-run.js');
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
  const body = {
    session,
    ...selection,
    data,
    connection:
      options.connectionFile === undefined
        ? undefined
        : await readConnectionFile(options.connectionFile),
  };
  return runRemotely(
    client,
    { path: '/api/runs', body, session },
    { json: options.json ?? false, out: stdoutOut(), stream: process.stdout },
  );
}
