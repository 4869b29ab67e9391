import { parseId } from '../count-flags.js';
import { stdoutOut } from '../output.js';
import { withProject, type GlobalOptions } from '../project-context.js';
import { remoteTarget, type RemoteTarget } from '../remote/remote-target.js';

export interface RerunOptions {
  failedOnly?: boolean;
  data?: string[];
  connectionFile?: string;
  /** `--timeout 30m` (a string), `--no-timeout` (false), or neither: the run's own limit. */
  timeout?: string | false;
  /** `--run-timeout 2h`, `--no-run-timeout` (false), or neither: the run's own. */
  runTimeout?: string | false;
  yes?: boolean;
  json?: boolean;
  user?: string;
}

/** What the re-run asks for, checked before anything is loaded. */
interface RerunAsk {
  runId: number;
  failedOnly: boolean;
  /** A new limit in ms, null for none, undefined for the run's. */
  timeoutMs: number | null | undefined;
  /** The same for the whole run's limit. */
  runTimeoutMs: number | null | undefined;
}

/**
 * `minke runs rerun ID`: the run's session again on its objects (or only those that did not
 * complete without error), with its form data and time limit unless given anew, followed as
 * `minke run` follows a run. On the project, or through a server as the token's user.
 * Returns the exit code (as `minke run`'s).
 */
export async function rerunCommand(
  globals: GlobalOptions,
  idText: string,
  options: RerunOptions,
): Promise<number> {
  const { timeLimitFlag } = await import('../time-limit-flag.js');
  const ask: RerunAsk = {
    runId: parseId(idText, 'the run id'),
    failedOnly: options.failedOnly === true,
    timeoutMs: options.timeout === false ? null : timeLimitFlag(options.timeout),
    runTimeoutMs:
      options.runTimeout === false ? null : timeLimitFlag(options.runTimeout, '--run-timeout'),
  };
  const remote = remoteTarget(globals);
  if (remote) return rerunThroughServer(remote, ask, options);
  const { rerunRun } = await import('../../operations/rerun-run.js');
  const { getRunItem } = await import('../../runs/list-runs.js');
  const { runLocally, cliRunUser } = await import('../local-run.js');
  const { projectRunData, connectionOf } = await import('../run-form.js');
  return withProject(globals, {}, async (project) => {
    const { run } = await getRunItem(project.database, ask.runId);
    noteSecretsNotGiven(run, ask.runId, options);
    const user = await cliRunUser(project, options.user);
    const data = await projectRunData(project, run.session, options, selectionText(ask));
    const connection = await connectionOf(options);
    return runLocally(
      project,
      {
        json: options.json === true,
        out: stdoutOut(),
        what: 'minke runs rerun',
        heading: headingOf(ask, run.session),
      },
      (runtime) => rerunRun(runtime, { ...ask, data, connection, user }),
    );
  });
}

async function rerunThroughServer(
  remote: RemoteTarget,
  ask: RerunAsk,
  options: RerunOptions,
): Promise<number> {
  const { runRemotely } = await import('../remote/remote-run.js');
  const { serverRunClient, serverRunData, connectionOf } = await import('../run-form.js');
  const client = await serverRunClient(remote, options);
  // The run without its sessions (a page of one); 404 for a run the token's user may not see.
  const { run } = await client.get<{ run: { session: string; hasSecretValues?: boolean } }>(
    `/api/runs/${ask.runId}/sessions?limit=1`,
  );
  noteSecretsNotGiven(run, ask.runId, options);
  const data = await serverRunData(client, run.session, options, selectionText(ask));
  const body = {
    failedOnly: ask.failedOnly,
    data,
    connection: await connectionOf(options),
    ...(ask.timeoutMs === undefined ? {} : { timeoutMs: ask.timeoutMs }),
    ...(ask.runTimeoutMs === undefined ? {} : { runTimeoutMs: ask.runTimeoutMs }),
  };
  return runRemotely(
    client,
    { path: `/api/runs/${ask.runId}/rerun`, body, session: run.session },
    {
      json: options.json === true,
      out: stdoutOut(),
      stream: process.stdout,
      heading: headingOf(ask, run.session),
    },
  );
}

/**
 * A run started with values never stored (secret form fields, run-time connection values): a
 * secret field not given again is refused by the form, but a sudo password not given again would
 * leave its commands to fail on sudo. Say so on stderr, unless a connection file is given.
 */
function noteSecretsNotGiven(
  run: { hasSecretValues?: boolean },
  runId: number,
  options: RerunOptions,
): void {
  if (run.hasSecretValues !== true || options.connectionFile !== undefined) return;
  process.stderr.write(
    `minke: note: run ${runId} was started with values that are never stored: its connection values (a sudo password, say), if it had any, are not used again unless given with --connection-file\n`,
  );
}

/** The line before the sessions: `run 12 re-runs run 9 (the failed objects): Check on 2 object(s)`. */
function headingOf(ask: RerunAsk, session: string): (runId: number, objects: number) => string {
  const which = ask.failedOnly ? ' (the failed objects)' : '';
  return (runId, objects) =>
    `run ${runId} re-runs run ${ask.runId}${which}: ${session} on ${objects} object(s)`;
}

/** The objects of the re-run in words, for a `confirm` session's question. */
function selectionText(ask: RerunAsk): string {
  return ask.failedOnly
    ? `the objects that failed in run ${ask.runId}`
    : `the objects of run ${ask.runId}`;
}
