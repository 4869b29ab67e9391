import type { SessionMeta } from '@minke/contract';
import { getSessions } from '../api/metadata.js';
import { useLoaded } from '../api/use-loaded.js';

/** The sessions the user may run on `model`, read when the dialog opens (cached per model). */
export function useRunSessions(
  model: string,
  open: boolean,
): { sessions: SessionMeta[] | undefined; loadError: string | undefined } {
  const loaded = useLoaded(open ? () => getSessions(model) : null, [open, model]);
  return { sessions: loaded.value, loadError: loaded.error };
}
