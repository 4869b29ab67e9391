import type { Command } from 'commander';
import type { BatchPolicy } from '@minke/contract';
import { UsageError } from '../cli-error.js';
import { selectionText } from '../run-confirm.js';
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
  runTimeout?: string;
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
    .option(
      '--run-timeout <limit>',
      'a time limit for the whole run (90s, 30m, 2h): when it ends, sessions not started are canceled and running ones stopped (they fail)',
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
      const runTimeoutMs = timeLimitFlag(options.runTimeout, '--run-timeout');
      const remote = remoteTarget(program.opts<GlobalOptions>());
      if (remote) {
        process.exitCode = await runThroughServer(remote, sessionName, options, {
          ...selection,
          ...(batch ? { batch } : {}),
          ...(timeoutMs === undefined ? {} : { timeoutMs }),
          ...(runTimeoutMs === undefined ? {} : { runTimeoutMs }),
        });
        return;
      }
      const { startRun } = await import('../../operations/start-run.js');
      const { runLocally, cliRunUser } = await import('../local-run.js');
      const { projectRunData, connectionOf } = await import('../run-form.js');
      await withProject(program.opts<GlobalOptions>(), {}, async (project) => {
        const user = await cliRunUser(project, options.user);
        const data = await projectRunData(project, sessionName, options, selectionText(options));
        const connection = await connectionOf(options);
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
              runTimeoutMs,
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
  selection: RunSelection & { batch?: BatchPolicy; timeoutMs?: number; runTimeoutMs?: number },
): Promise<number> {
  const { runRemotely } = await import('../remote/remote-run.js');
  const { serverRunClient, serverRunData, connectionOf } = await import('../run-form.js');
  const client = await serverRunClient(remote, options);
  const data = await serverRunData(client, session, options, selectionText(options));
  const body = { session, ...selection, data, connection: await connectionOf(options) };
  return runRemotely(
    client,
    { path: '/api/runs', body, session },
    { json: options.json ?? false, out: stdoutOut(), stream: process.stdout },
  );
}
