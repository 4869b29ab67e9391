import { isStoppedState, type ProcessState, type SessionResult } from '@minke/contract';

const BADGE_COLORS: Record<SessionResult | 'stopped', string> = {
  success: '#2e7d32',
  warning: '#a36a00',
  error: '#c62828',
  stopped: '#616161',
};

/**
 * A small outcome badge, plain HTML (there may be 600 of them changing at once): the result, or
 * a grey "stopped" / "canceled" for a session a user stopped or that never started.
 */
export function OutcomeBadge({
  state,
  result,
}: {
  state: ProcessState;
  result: SessionResult | null;
}) {
  const stopped = isStoppedState(state);
  if (!stopped && !result) return null;
  const color = BADGE_COLORS[stopped ? 'stopped' : (result as SessionResult)];
  const text = stopped ? state : (result as SessionResult);
  return (
    <span
      className="minke-result"
      data-result={stopped ? 'stopped' : result}
      style={{
        color,
        border: `1px solid ${color}`,
        borderRadius: 10,
        padding: '0 7px',
        fontSize: 12,
        lineHeight: '18px',
      }}
    >
      {text}
    </span>
  );
}
