import { useEffect } from 'react';
import { useListContext } from 'react-admin';
import type { RunBoard } from './run-board.js';

/** At most one re-read of the list per this many ms while sessions keep finishing. */
const REFRESH_EVERY_MS = 1500;

/**
 * The sessions that completed on the board, as `runId:recordId` keys: a session may have
 * written its object (`updateField`, `this.obj` saved), so the list must show the new values.
 */
function completedKeys(board: RunBoard): string[] {
  const keys: string[] = [];
  for (const monitor of board.runs)
    for (const live of monitor.state.sessions.values())
      if (live.processState === 'completed') keys.push(`${monitor.runId}:${live.recordId}`);
  return keys;
}

/**
 * Re-reads the list page when sessions complete, so a row shows what its session wrote when it
 * turns green, without a reload. Throttled: a 600-row run re-reads the page every 1.5 s while
 * rows finish (and once after the last), not once per row. Renders nothing; lives in the List.
 */
export function FinishedRowsRefresh({ board }: { board: RunBoard }) {
  const { refetch } = useListContext();
  useEffect(() => {
    const seen = new Set(completedKeys(board));
    let timer: ReturnType<typeof setTimeout> | undefined;
    let last = 0;
    const refresh = () => {
      timer = undefined;
      last = Date.now();
      void refetch();
    };
    const onChange = () => {
      let fresh = false;
      for (const key of completedKeys(board)) {
        if (seen.has(key)) continue;
        seen.add(key);
        fresh = true;
      }
      if (!fresh || timer !== undefined) return;
      timer = setTimeout(refresh, Math.max(0, last + REFRESH_EVERY_MS - Date.now()));
    };
    const unsubscribe = board.subscribe(onChange);
    return () => {
      unsubscribe();
      if (timer !== undefined) clearTimeout(timer);
    };
  }, [board, refetch]);
  return null;
}
