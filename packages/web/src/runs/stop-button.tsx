import type { ProcessState } from '@minke/contract';
import { useBusyAction } from '../api/use-busy-action.js';
import type { RunBoard } from './run-board.js';
import { stopSession } from './stop.js';

/**
 * ✕ on a running row stops it after its current command; once it is `stopping`, a visible
 * **Kill now** interrupts that command.
 */
export function StopButton({
  board,
  recordId,
  state,
}: {
  board: RunBoard;
  recordId: number;
  state: ProcessState;
}) {
  const stopping = useBusyAction();
  const kill = state === 'stopping';
  const stop = () =>
    stopping.run(async () => {
      board.applyStops(await stopSession(recordId));
    });
  return (
    <button
      type="button"
      className={kill ? 'minke-stop minke-kill' : 'minke-stop'}
      data-testid="stop-row"
      title={
        kill ? 'Kill now: the running command is interrupted' : 'Stop after the current command'
      }
      aria-label={kill ? 'Kill now' : 'Stop'}
      disabled={stopping.busy}
      style={
        kill
          ? {
              color: '#fff',
              background: '#c62828',
              border: 'none',
              borderRadius: 4,
              padding: '1px 8px',
              fontSize: 12,
              cursor: 'pointer',
            }
          : undefined
      }
      onClick={(e) => {
        e.stopPropagation();
        void stop();
      }}
    >
      {kill ? 'Kill now' : '✕'}
    </button>
  );
}
