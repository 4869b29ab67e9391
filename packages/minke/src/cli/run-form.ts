import type { OpenedProject } from '../runtime/open-project.js';
import { UsageError } from './cli-error.js';
import { readConnectionFile } from './connection-file.js';
import type { ApiClient } from './remote/api-client.js';
import type { RemoteTarget } from './remote/remote-target.js';
import { confirmRun } from './run-confirm.js';

/** The flags `minke run` and `minke runs rerun` share for what a run starts with. */
export interface RunFormFlags {
  data?: string[] | undefined;
  connectionFile?: string | undefined;
  yes?: boolean | undefined;
  user?: string | undefined;
}

/**
 * The form data of a run on the project: `--data`, typed by the session's form, once the user
 * has said yes to a session marked `confirm` (`selection`: what it runs on, in words).
 */
export async function projectRunData(
  project: Pick<OpenedProject, 'sessions'>,
  session: string,
  flags: RunFormFlags,
  selection: string,
): Promise<Record<string, unknown>> {
  const { parseRunData } = await import('./run-data.js');
  const info = project.sessions.sessions.get(session);
  const data = parseRunData(flags.data ?? [], info?.cls.form);
  await askIfConfirm(info, selection, flags);
  return data;
}

/** The same through a server: typed by its session catalog, as the token's user sees it. */
export async function serverRunData(
  client: ApiClient,
  session: string,
  flags: RunFormFlags,
  selection: string,
): Promise<Record<string, unknown>> {
  const { catalogEntry } = await import('./remote/remote-run.js');
  const { parseRunDataBySchema } = await import('./run-data.js');
  const entry = await catalogEntry(client, session);
  const data =
    flags.data === undefined || flags.data.length === 0
      ? {}
      : parseRunDataBySchema(flags.data, entry?.form);
  await askIfConfirm(entry && { name: session, ...entry }, selection, flags);
  return data;
}

/** Asks about a session marked `confirm` (an unknown one is refused later, by the start). */
async function askIfConfirm(
  session: { name: string; verboseName: string; confirm: boolean } | undefined,
  selection: string,
  flags: RunFormFlags,
): Promise<void> {
  if (!session) return;
  await confirmRun({
    session: session.name,
    verboseName: session.verboseName,
    confirm: session.confirm,
    selection,
    yes: flags.yes === true,
  });
}

/** The client a run through a server goes by; the run is the token user's, so `--user` is refused. */
export async function serverRunClient(
  remote: RemoteTarget,
  flags: RunFormFlags,
): Promise<ApiClient> {
  if (flags.user !== undefined)
    throw new UsageError(
      '--user does not apply with --server: the run is made as the user of the token',
    );
  const { ApiClient } = await import('./remote/api-client.js');
  return new ApiClient(remote);
}

/** `--connection-file F`'s values, or undefined without the flag. */
export function connectionOf(flags: RunFormFlags): Promise<Record<string, unknown> | undefined> {
  return flags.connectionFile === undefined
    ? Promise.resolve(undefined)
    : readConnectionFile(flags.connectionFile);
}
