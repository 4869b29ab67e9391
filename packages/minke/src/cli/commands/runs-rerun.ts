import { UsageError } from '../cli-error.js';
import { readConnectionFile } from '../connection-file.js';
import { parseId } from '../count-flags.js';
import { stdoutOut } from '../output.js';
import { withProject, type GlobalOptions } from '../project-context.js';
import { remoteTarget, type RemoteTarget } from '../remote/remote-target.js';
import { confirmRun } from '../run-confirm.js';

export interface RerunOptions {
  failedOnly?: boolean;
  data?: string[];
  connectionFile?: string;
  /** `--timeout 30m` (a string), `--no-timeout` (false), or neither: the run's own limit. */
  timeout?: string | false;
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
  };
  const remote = remoteTarget(globals);
  if (remote) return rerunThroughServer(remote, ask, options);
  const { parseRunData } = await import('../run-data.js');
  const { rerunRun } = await import('../../operations/rerun-run.js');
  const { getRunItem } = await import('../../runs/list-runs.js');
  const { runLocally, cliRunUser } = await import('../local-run.js');
  return withProject(globals, {}, async (project) => {
    const { run } = await getRunItem(project.database, ask.runId);
    const info = project.sessions.sessions.get(run.session);
    const data = parseRunData(options.data ?? [], info?.cls.form);
    const user = await cliRunUser(project, options.user);
    if (info)
      await confirmRun({
        session: info.name,
        verboseName: info.verboseName,
        confirm: info.confirm,
        selection: selectionText(ask),
        yes: options.yes === true,
      });
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
  if (options.user !== undefined)
    throw new UsageError(
      '--user does not apply with --server: the run is made as the user of the token',
    );
  const { ApiClient } = await import('../remote/api-client.js');
  const { runRemotely, catalogEntry } = await import('../remote/remote-run.js');
  const { parseRunDataBySchema } = await import('../run-data.js');
  const client = new ApiClient(remote);
  // 404 for a run the token's user may not see, as the API answers.
  const run = await client.get<{ session: string }>(`/api/runs/${ask.runId}`);
  const entry = await catalogEntry(client, run.session);
  const data =
    options.data === undefined || options.data.length === 0
      ? {}
      : parseRunDataBySchema(options.data, entry?.form);
  if (entry)
    await confirmRun({
      session: run.session,
      verboseName: entry.verboseName,
      confirm: entry.confirm,
      selection: selectionText(ask),
      yes: options.yes === true,
    });
  const body = {
    failedOnly: ask.failedOnly,
    data,
    connection: await connectionOf(options),
    ...(ask.timeoutMs === undefined ? {} : { timeoutMs: ask.timeoutMs }),
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

function connectionOf(options: RerunOptions): Promise<Record<string, unknown> | undefined> {
  return options.connectionFile === undefined
    ? Promise.resolve(undefined)
    : readConnectionFile(options.connectionFile);
}
