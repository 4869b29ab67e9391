import { useEffect } from 'react';
import { useDataProvider, type GetListResult, type RaRecord } from 'react-admin';
import { useQueryClient, type QueryClient } from '@tanstack/react-query';
import type { RunBoard } from './run-board.js';

/** At most one read per this many ms while sessions keep completing. */
const REFRESH_EVERY_MS = 1000;
/** Records read at once (a 600-row run finishing together is read in slices). */
const MAX_IDS_PER_READ = 200;

/**
 * The objects whose session completed since the last call: such a session may have written its
 * object (`updateField`, `this.obj` saved), so its row must show the new values.
 */
function freshlyCompleted(board: RunBoard, seen: Set<string>): number[] {
  const ids: number[] = [];
  for (const monitor of board.runs)
    for (const live of monitor.state.sessions.values()) {
      if (live.processState !== 'completed' || live.objectId < 0) continue;
      const key = `${monitor.runId}:${live.recordId}`;
      if (seen.has(key)) continue;
      seen.add(key);
      ids.push(live.objectId);
    }
  return ids;
}

/** Puts re-read records into every cached list page of the model, as react-admin's own update does. */
function replaceInLists(queryClient: QueryClient, model: string, records: readonly RaRecord[]) {
  const byId = new Map(records.map((r) => [String(r.id), r] as const));
  queryClient.setQueriesData<GetListResult>({ queryKey: [model, 'getList'] }, (page) =>
    page?.data
      ? { ...page, data: page.data.map((r: RaRecord) => byId.get(String(r.id)) ?? r) }
      : page,
  );
}

/**
 * Re-reads the rows whose session completed (only those, throttled), so a row shows what its
 * session wrote as it turns green, without a reload and without re-reading the whole page: a
 * 600-row run reads its finished rows in a few slices per second, and rows that did not change
 * keep their objects (and do not re-render). Renders nothing.
 */
export function FinishedRowsRefresh({ board }: { board: RunBoard }) {
  const dataProvider = useDataProvider();
  const queryClient = useQueryClient();
  useEffect(() => {
    const seen = new Set<string>();
    freshlyCompleted(board, seen); // what completed before this list opened is in its data
    const pending = new Set<number>();
    let timer: ReturnType<typeof setTimeout> | undefined;
    let stopped = false;
    const read = async () => {
      const ids = [...pending].slice(0, MAX_IDS_PER_READ);
      for (const id of ids) pending.delete(id);
      try {
        const { data } = await dataProvider.getMany<RaRecord>(board.model, { ids });
        if (!stopped) replaceInLists(queryClient, board.model, data);
      } catch {
        // a failed read leaves the rows as they were; the next completion reads again
      }
      timer = undefined;
      if (!stopped && pending.size > 0) schedule();
    };
    const schedule = () => {
      timer ??= setTimeout(() => void read(), REFRESH_EVERY_MS);
    };
    const unsubscribe = board.subscribe(() => {
      for (const id of freshlyCompleted(board, seen)) pending.add(id);
      if (pending.size > 0) schedule();
    });
    return () => {
      stopped = true;
      unsubscribe();
      if (timer !== undefined) clearTimeout(timer);
    };
  }, [board, dataProvider, queryClient]);
  return null;
}
