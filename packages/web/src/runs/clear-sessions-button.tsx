import { startTransition } from 'react';
import { Button, useListContext, useNotify, useRefresh, type RaRecord } from 'react-admin';
import ClearAllIcon from '@mui/icons-material/ClearAll';
import type { ClearReply } from '@minke/contract';
import { api } from '../api/http.js';
import { useBusyAction } from '../api/use-busy-action.js';
import { boardFor } from './boards.js';

/**
 * The list's bulk action "Clear" (the original's): the user's current session on the selected
 * rows stops showing in their list, on the server (`POST /api/records/:model/clear`) and on the
 * live board. Other users' lists and the history keep every session.
 */
export function ClearSessionsButton({ model }: { model: string }) {
  const { selectedIds, onUnselectItems } = useListContext<RaRecord>();
  const clearing = useBusyAction();
  const notify = useNotify();
  const refresh = useRefresh();

  const clear = () =>
    clearing.run(async () => {
      const ids = selectedIds.map(Number);
      const outcome = await api<ClearReply>(`/api/records/${encodeURIComponent(model)}/clear`, {
        method: 'POST',
        body: { ids },
      });
      boardFor(model).forget(ids);
      startTransition(() => onUnselectItems());
      refresh();
      notify(
        `Cleared the current session of ${outcome.cleared} ${outcome.cleared === 1 ? 'object' : 'objects'}`,
        { type: 'info' },
      );
    });

  return (
    <Button
      label="Clear"
      disabled={clearing.busy}
      onClick={() => void clear()}
      data-testid="clear-sessions"
    >
      <ClearAllIcon />
    </Button>
  );
}
