import { useEffect, useState } from 'react';
import type { SessionMeta } from '@minke/contract';
import { getSessions } from '../api/metadata.js';

/** The sessions the user may run on `model`, read when the dialog opens (cached per model). */
export function useRunSessions(
  model: string,
  open: boolean,
): { sessions: SessionMeta[] | undefined; loadError: string | undefined } {
  const [sessions, setSessions] = useState<SessionMeta[] | undefined>();
  const [loadError, setLoadError] = useState<string | undefined>();
  useEffect(() => {
    if (!open) return;
    let live = true;
    getSessions(model).then(
      (list) => live && setSessions(list),
      (error: unknown) => live && setLoadError((error as Error).message),
    );
    return () => {
      live = false;
    };
  }, [open, model]);
  return { sessions, loadError };
}
