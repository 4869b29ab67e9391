import { useRecordContext } from 'react-admin';
import { isDone, isStoppedState, procInfo, type LastSession } from '@minke/contract';
import { boardFor, useLiveSession } from './boards.js';
import { LastSessionCell } from './last-session-cell.js';
import { sessionOutcome } from '@minke/contract';
import { OutcomeBadge } from './result-badge.js';
import type { LiveSession } from './run-state.js';
import { StopButton } from './stop-button.js';
import { useRowState } from './use-row-state.js';

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
  const outcome = live ? sessionOutcome(live.processState, live.result) : undefined;
  const ref = useRowState(live?.processState, outcome);
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
      data-live-result={outcome}
      data-record-id={live.recordId}
      style={{ display: 'inline-flex', alignItems: 'center', gap: 8, whiteSpace: 'nowrap' }}
    >
      <span>{board.verboseName(found.monitor.state.session)}</span>
      <span className="minke-proc-info">[{procInfo(live.processState, live.durationMs)}]</span>
      {done ? <OutcomeBadge state={live.processState} result={live.result} /> : null}
      <EndReason live={live} />
      <MessageCount count={live.messages.filter((m) => m.kind !== 'command').length} />
      {!done ? (
        <StopButton board={board} recordId={live.recordId} state={live.processState} />
      ) : null}
    </span>
  );
}

/** Why a session never started (its host is disabled, say), in the row, not only on expand. */
function EndReason({ live }: { live: LiveSession }) {
  if (live.processState !== 'canceled' && live.processState !== 'failed') return null;
  const reason =
    live.reason ?? live.messages.findLast((m) => m.level === 'error' && m.kind !== 'command')?.text;
  if (!reason) return null;
  return (
    <span
      className="minke-end-reason"
      data-testid="end-reason"
      title={reason}
      style={{
        color: isStoppedState(live.processState) ? '#555' : '#c62828',
        maxWidth: 360,
        overflow: 'hidden',
        textOverflow: 'ellipsis',
      }}
    >
      {reason}
    </span>
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
