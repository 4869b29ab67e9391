import { startTransition, useState } from 'react';
import { Button, useListContext, useNotify, useRefresh, type RaRecord } from 'react-admin';
import ClearAllIcon from '@mui/icons-material/ClearAll';
import type { ClearReply } from '@minke/contract';
import { api } from '../api/http.js';
import { boardFor } from './boards.js';

/**
 * The list's bulk action "Clear" (the original's): the user's current session on the selected
 * rows stops showing in their list, on the server (`POST /api/records/:model/clear`) and on the
 * live board. Other users' lists and the history keep every session.
 */
export function ClearSessionsButton({ model }: { model: string }) {
  const { selectedIds, onUnselectItems } = useListContext<RaRecord>();
  const [busy, setBusy] = useState(false);
  const notify = useNotify();
  const refresh = useRefresh();

  const clear = async () => {
    setBusy(true);
    try {
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
    } catch (error) {
      notify(error instanceof Error ? error.message : String(error), { type: 'error' });
    } finally {
      setBusy(false);
    }
  };

  return (
    <Button label="Clear" disabled={busy} onClick={() => void clear()} data-testid="clear-sessions">
      <ClearAllIcon />
    </Button>
  );
}
