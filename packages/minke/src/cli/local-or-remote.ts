import type { OpenedProject } from '../runtime/open-project.js';
import { withProject, type GlobalOptions } from './project-context.js';
import type { ApiClient } from './remote/api-client.js';
import { remoteTarget } from './remote/remote-target.js';

/**
 * Where a command group's data comes from: with `--server` (or MINKE_SERVER_URL), a server's
 * API as the token's user; otherwise the local project, opened for the command and closed after
 * it. Each side loads what it needs when it is chosen.
 */
export interface LocalOrRemote<Source> {
  remote: (api: ApiClient) => Source | Promise<Source>;
  local: (project: OpenedProject) => Source | Promise<Source>;
}

/** A command group's `with…` helper, as `localOrRemote` makes it. */
export type WithSource<Source> = <T>(
  globals: GlobalOptions,
  work: (source: Source) => Promise<T>,
) => Promise<T>;

/** Runs `work` with the source `--server` picks: the one place a command chooses its side. */
export async function withLocalOrRemote<Source, T>(
  globals: GlobalOptions,
  sides: LocalOrRemote<Source>,
  work: (source: Source) => Promise<T>,
): Promise<T> {
  const target = remoteTarget(globals);
  if (target) {
    const { ApiClient } = await import('./remote/api-client.js');
    return work(await sides.remote(new ApiClient(target)));
  }
  return withProject(globals, {}, async (project) => work(await sides.local(project)));
}

/**
 * A command group's `with…` helper: `withLocalOrRemote` with the group's two sides fixed.
 *
 * @example
 *   const withTokens = localOrRemote<TokensSource>({ remote: remoteTokens, local: localTokens });
 *   await withTokens(globals, (tokens) => tokens.list({}));
 */
export function localOrRemote<Source>(sides: LocalOrRemote<Source>): WithSource<Source> {
  return (globals, work) => withLocalOrRemote(globals, sides, work);
}
