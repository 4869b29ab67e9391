import type { Command } from 'commander';
import { UsageError } from '../cli-error.js';
import { parseId } from '../count-flags.js';
import { stdoutOut, type Out } from '../output.js';
import type { GlobalOptions } from '../project-context.js';
import { remoteTarget } from '../remote/remote-target.js';
import type { RerunOptions } from './runs-rerun.js';

interface StopReply {
  outcomes: { recordId: number; outcome: string }[];
}

export function registerRunsCommands(program: Command): void {
  const runs = program
    .command('runs')
    .description('re-run a run (on the project or with --server), stop one (with --server)');
  runs
    .command('stop <id>')
    .description(
      'stop a run on the server: waiting sessions are canceled, running ones stop after their command; again to kill',
    )
    .option('--json', 'print JSON')
    .action((id: string, options: { json?: boolean }) =>
      stopRunOnServer(program.opts<GlobalOptions>(), id, options, stdoutOut()),
    );
  runs
    .command('rerun <id>')
    .description(
      "run a run's session again on its objects, with its form data and time limit; prints each result as it finishes",
    )
    .option('--failed-only', 'only the objects whose session did not complete without error')
    .option('--data <key=value...>', 'form values to change, and secret fields (never stored)')
    .option(
      '--connection-file <file>',
      'run-time connection values for this run only (YAML/JSON, mode 600); never stored',
    )
    .option('--timeout <limit>', "a time limit per object instead of the run's (90s, 30m, 2h)")
    .option('--no-timeout', "no time limit of the run (the session's own still counts)")
    .option('--run-timeout <limit>', "a time limit for the whole run instead of the run's")
    .option('--no-run-timeout', 'no time limit for the whole run')
    .option('-y, --yes', 'start a session marked `confirm` without asking')
    .option('--json', 'print the outcome as JSON')
    .option(
      '--user <name>',
      'run as this user, with their permissions (default: MINKE_CLI_USER, else the local operator)',
    )
    .action(async (id: string, options: RerunOptions) => {
      const { rerunCommand } = await import('./runs-rerun.js');
      process.exitCode = await rerunCommand(program.opts<GlobalOptions>(), id, options);
    });
}

/**
 * `minke --server URL runs stop ID`: `POST /api/runs/ID/stop` as the token's user (their own runs;
 * superusers: any). Only through a server: a run is stopped by the process that runs it, and only
 * the server reaches it (and its workers) from here.
 */
export async function stopRunOnServer(
  globals: GlobalOptions,
  idText: string,
  options: { json?: boolean | undefined },
  out: Out,
): Promise<void> {
  parseId(idText, 'the run id');
  const remote = remoteTarget(globals);
  if (!remote)
    throw new UsageError(
      'runs stop talks to the server that runs the run: add --server URL or set MINKE_SERVER_URL (with MINKE_TOKEN); Ctrl-C stops a local `minke run`',
    );
  const { ApiClient } = await import('../remote/api-client.js');
  const reply = await new ApiClient(remote).post<StopReply>(`/api/runs/${idText}/stop`);
  if (options.json) return out.json(reply);
  if (reply.outcomes.length === 0) {
    out.line(`run ${idText} has nothing left to stop`);
    return;
  }
  for (const { recordId, outcome } of reply.outcomes)
    out.line(`session record ${recordId}: ${outcome}`);
}
