import { useLayoutEffect, useRef } from 'react';

/**
 * Puts the live state on the row itself (`tr[data-live-state][data-live-result]`), so CSS
 * colours the whole row green, yellow, red or grey while only the session cell re-renders.
 */
export function useRowState(state: string | undefined, result: string | undefined) {
  const ref = useRef<HTMLSpanElement>(null);
  useLayoutEffect(() => {
    const row = ref.current?.closest('tr');
    if (!row) return;
    if (state === undefined) {
      delete row.dataset.liveState;
      delete row.dataset.liveResult;
    } else {
      row.dataset.liveState = state;
      row.dataset.liveResult = result;
    }
  }, [state, result]);
  useLayoutEffect(() => {
    const row = ref.current?.closest('tr');
    return () => {
      if (!row) return;
      delete row.dataset.liveState;
      delete row.dataset.liveResult;
    };
  }, []);
  return ref;
}
