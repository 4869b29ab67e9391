import { useLayoutEffect, useRef, useState } from 'react';
import { useNotify, useRecordContext } from 'react-admin';
import { isDone, procInfo, type LastSession, type SessionResult } from '@minke/contract';
import { boardFor, useLiveSession } from './boards.js';
import type { RunBoard } from './run-board.js';
import { stopSession } from './stop.js';

const RESULT_TEXT: Record<SessionResult, string> = {
  success: '#2e7d32',
  warning: '#a36a00',
  error: '#c62828',
};

/** A small result badge, plain HTML: there may be 600 of them changing at once. */
function ResultBadge({ result }: { result: SessionResult | null }) {
  if (!result) return null;
  return (
    <span
      className="minke-result"
      data-result={result}
      style={{
        color: RESULT_TEXT[result],
        border: `1px solid ${RESULT_TEXT[result]}`,
        borderRadius: 10,
        padding: '0 7px',
        fontSize: 12,
        lineHeight: '18px',
      }}
    >
      {result}
    </span>
  );
}

/**
 * Puts the live state on the row itself (`tr[data-live-state][data-live-result]`), so CSS
 * colours the whole row green, yellow or red while only this cell re-renders.
 */
function useRowState(state: string | undefined, result: string | undefined) {
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

/**
 * The session column of a list row: the live state of the newest run on this object (it changes
 * as events arrive, re-rendering this cell alone), else the last session from the server.
 */
export function LiveSessionCell({ model }: { model: string }) {
  const record = useRecordContext();
  const board = boardFor(model);
  const found = useLiveSession(board, Number(record?.id));
  const live = found?.live;
  const done = live ? isDone(live.processState) : false;
  const result = live ? (done ? (live.result ?? 'none') : 'pending') : undefined;
  const ref = useRowState(live?.processState, result);
  if (!record) return null;
  if (!found || !live) {
    return (
      <span ref={ref}>
        <LastSessionCell last={record._lastSession as LastSession | null} board={board} />
      </span>
    );
  }
  return (
    <span
      ref={ref}
      className="minke-live"
      data-live-state={live.processState}
      data-live-result={result}
      data-record-id={live.recordId}
      style={{ display: 'inline-flex', alignItems: 'center', gap: 8, whiteSpace: 'nowrap' }}
    >
      <span>{board.verboseName(found.monitor.state.session)}</span>
      <span className="minke-proc-info">[{procInfo(live.processState, live.durationMs)}]</span>
      {done ? <ResultBadge result={live.result} /> : null}
      <MessageCount count={live.messages.filter((m) => m.kind !== 'command').length} />
      {!done ? (
        <StopButton board={board} recordId={live.recordId} state={live.processState} />
      ) : null}
    </span>
  );
}

function StopButton({
  board,
  recordId,
  state,
}: {
  board: RunBoard;
  recordId: number;
  state: string;
}) {
  const notify = useNotify();
  const [busy, setBusy] = useState(false);
  const kill = state === 'stopping';
  const stop = async () => {
    setBusy(true);
    try {
      board.applyStops(await stopSession(recordId));
    } catch (error) {
      notify((error as Error).message, { type: 'error' });
    } finally {
      setBusy(false);
    }
  };
  return (
    <button
      type="button"
      className="minke-stop"
      data-testid="stop-row"
      title={kill ? 'Kill (the command is interrupted)' : 'Stop (after the current command)'}
      aria-label={kill ? 'Kill' : 'Stop'}
      disabled={busy}
      onClick={(e) => {
        e.stopPropagation();
        void stop();
      }}
    >
      {kill ? 'kill' : '✕'}
    </button>
  );
}

function MessageCount({ count }: { count: number }) {
  if (count === 0) return null;
  return (
    <span style={{ color: '#666' }}>
      {count} {count === 1 ? 'message' : 'messages'}
    </span>
  );
}

function LastSessionCell({
  last,
  board,
}: {
  last: LastSession | null | undefined;
  board: RunBoard;
}) {
  if (!last) return null;
  return (
    <span
      style={{ display: 'inline-flex', alignItems: 'center', gap: 8, color: '#666' }}
      title={last.finishedAt ? `finished ${new Date(last.finishedAt).toLocaleString()}` : ''}
    >
      <span>{board.verboseName(last.session)}</span>
      {last.result ? <ResultBadge result={last.result} /> : <span>[{last.processState}]</span>}
    </span>
  );
}
