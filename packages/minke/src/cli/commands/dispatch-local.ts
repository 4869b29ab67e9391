import { dispatch } from '../../facts/dispatch.js';
import { RequestStore } from '../../facts/request-store.js';
import type { OpenedProject } from '../../runtime/open-project.js';
import type { DispatchSource } from '../remote/remote-dispatch.js';

/**
 * `minke dispatch` on the project: the request goes into the ledger, signed with the project's
 * key, and the running server's gateway delivers it; `--wait` reads the ledger.
 */
export function localDispatch(project: OpenedProject): DispatchSource {
  const ledger = new RequestStore(project.database);
  return {
    dispatch: (ask) =>
      dispatch(
        { project },
        {
          plugin: ask.plugin,
          nodes: ask.nodes,
          all: ask.all,
          where: ask.where,
          ttlMs: ask.ttlSeconds === undefined ? undefined : ask.ttlSeconds * 1000,
          createdBy: process.env['USER'] ?? null,
        },
      ),
    status: (id) => ledger.status(id),
    pollMs: 200,
  };
}
