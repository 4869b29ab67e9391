import { useLayoutEffect, useRef, useState } from 'react';
import { Alert, Box, Link, Stack, Typography } from '@mui/material';
import { useRecordContext } from 'react-admin';
import { api } from '../api/http.js';
import { useLoaded } from '../api/use-loaded.js';
import { isDone, procInfo, type LastSession, type SessionRecordDetail } from '@minke/contract';
import { MessageList } from '../history/message-list.js';
import { bufferFromCommands } from '../output/commands-buffer.js';
import { OutputView } from '../output/output-view.js';
import { TruncatedOutputNotice } from '../output/truncated-output.js';
import { boardFor, useLiveSession } from './boards.js';

/**
 * The width of the table's scroll box: a panel under a row stays that wide (and in view) when
 * the table is wider than the page and scrolls sideways.
 */
function useVisibleWidth() {
  const ref = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState<number>();
  useLayoutEffect(() => {
    const box = ref.current?.closest('.RaDatagrid-tableWrapper');
    if (!box) return;
    const measure = () => setWidth(box.clientWidth);
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(box);
    return () => observer.disconnect();
  }, []);
  return { ref, width };
}

/** Under a list row: the live session's messages and command output. */
export function RowSessionPanel({ model }: { model: string }) {
  const { ref, width } = useVisibleWidth();
  return (
    <div
      ref={ref}
      style={{
        position: 'sticky',
        left: 16,
        width: width === undefined ? undefined : Math.max(320, width - 64),
      }}
    >
      <PanelContent model={model} />
    </div>
  );
}

function PanelContent({ model }: { model: string }) {
  const record = useRecordContext();
  const board = boardFor(model);
  const found = useLiveSession(board, Number(record?.id));
  if (!found) {
    // no run in this tab: the object's last session, from the history
    const last = record?._lastSession as LastSession | null | undefined;
    if (!last)
      return (
        <Typography variant="body2" sx={{ py: 1 }}>
          No session has run on this object yet.
        </Typography>
      );
    return (
      <Stack spacing={1} sx={{ py: 1 }} data-testid="row-panel">
        <Typography variant="body2">
          Last session: <strong>{board.verboseName(last.session)}</strong> [{last.processState}] ·{' '}
          <Link href={`#/session-records/${last.id}/show`}>session page</Link>
        </Typography>
        <StoredDetails recordId={last.id} done />
      </Stack>
    );
  }
  const { live, monitor } = found;
  return (
    <Stack spacing={1} sx={{ py: 1 }} data-testid="row-panel">
      <Typography variant="body2">
        <strong>{board.verboseName(monitor.state.session)}</strong> [
        {procInfo(live.processState, live.durationMs)}] ·{' '}
        <Link href={`#/session-records/${live.recordId}/show`}>session page</Link>
      </Typography>
      {live.stale ||
      (isDone(live.processState) && (live.truncated > 0 || live.output.dropped > 0)) ? (
        <>
          {!live.stale ? (
            <Alert severity="info" sx={{ py: 0 }} data-testid="live-skipped">
              The live view left out part of a long output; below is the output as the server stored
              it.
            </Alert>
          ) : null}
          <StoredDetails recordId={live.recordId} done={isDone(live.processState)} />
        </>
      ) : (
        <>
          {/* command messages repeat what the output view shows */}
          <MessageList messages={live.messages.filter((m) => m.kind !== 'command')} />
          <OutputView buffer={live.output} version={live.version} height={280} />
        </>
      )}
    </Stack>
  );
}

/** After a reset the live events are gone: show what the history stored. */
function StoredDetails({ recordId, done }: { recordId: number; done: boolean }) {
  const { value: detail, error } = useLoaded(async () => {
    const record = await api<SessionRecordDetail>(`/api/session-records/${recordId}`);
    return { record, buffer: bufferFromCommands(record.commands) };
  }, [recordId, done]);
  if (error) return <Alert severity="error">{error}</Alert>;
  if (!detail) return <Box>Loading…</Box>;
  return (
    <>
      <MessageList messages={detail.record.messages.filter((m) => m.kind !== 'command')} />
      <TruncatedOutputNotice commands={detail.record.commands} />
      <OutputView buffer={detail.buffer} version={detail.buffer.version} height={280} />
    </>
  );
}
