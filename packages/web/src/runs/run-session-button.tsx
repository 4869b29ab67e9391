import { startTransition, useState } from 'react';
import { Button, useGetMany, useListContext, useNotify, type RaRecord } from 'react-admin';
import PlayArrowIcon from '@mui/icons-material/PlayArrow';
import type { SessionMeta, StartedRun } from '@minke/contract';
import { boardFor } from './boards.js';
import { RunSessionDialog } from './run-session-dialog.js';
import { labelOf, type RunTarget } from './run-targets.js';
import { useHostNames } from './target-hosts.js';

/** The list's bulk action: run a session on the selected rows, then follow it in place. */
export function RunSessionButton({ model }: { model: string }) {
  const { selectedIds, data, onUnselectItems } = useListContext<RaRecord>();
  const [open, setOpen] = useState(false);
  const notify = useNotify();
  const onPage = new Map((data ?? []).map((record: RaRecord) => [record.id, record]));
  const missing = selectedIds.filter((id) => !onPage.has(id));
  const { data: others } = useGetMany(
    model,
    { ids: missing },
    { enabled: open && missing.length > 0 },
  );
  const byId = new Map([...onPage, ...(others ?? []).map((r: RaRecord) => [r.id, r] as const)]);
  const selected = selectedIds.flatMap((id) => byId.get(id) ?? []);
  const hostNames = useHostNames(model, selected, open);
  const targets: RunTarget[] = selectedIds.map((id) => ({
    id: Number(id),
    label: labelOf(byId.get(id), id),
    hostName: hostNames.get(Number(id)) ?? null,
  }));

  const started = (run: StartedRun, session: SessionMeta) => {
    boardFor(model).add(run.id, run);
    setOpen(false);
    // a transition: unticking 600 rows renders in slices, the page stays responsive
    startTransition(() => onUnselectItems());
    const canceled = run.records.filter((r) => r.canceled).length;
    notify(
      `Started ${session.verboseName} on ${run.records.length} ${run.records.length === 1 ? 'object' : 'objects'}` +
        (canceled ? ` (${canceled} canceled: host disabled)` : ''),
      { type: 'info' },
    );
  };

  return (
    <>
      <Button label="Run session" onClick={() => setOpen(true)} data-testid="run-session">
        <PlayArrowIcon />
      </Button>
      <RunSessionDialog
        model={model}
        open={open}
        targets={targets}
        onClose={() => setOpen(false)}
        onStarted={started}
      />
    </>
  );
}
