import type { LastSession } from '@minke/contract';
import { OutcomeBadge } from './result-badge.js';
import type { RunBoard } from './run-board.js';

/** The row's session when this tab follows no run on it: the last one, from the server. */
export function LastSessionCell({
  last,
  board,
}: {
  last: LastSession | null | undefined;
  board: RunBoard;
}) {
  if (!last) return null;
  const ended = last.result || last.processState === 'stopped' || last.processState === 'canceled';
  return (
    <span
      style={{ display: 'inline-flex', alignItems: 'center', gap: 8, color: '#666' }}
      title={last.finishedAt ? `finished ${new Date(last.finishedAt).toLocaleString()}` : ''}
    >
      <span>{board.verboseName(last.session)}</span>
      {ended ? (
        <OutcomeBadge state={last.processState} result={last.result} />
      ) : (
        <span>[{last.processState}]</span>
      )}
    </span>
  );
}
