import { Button, DialogActions } from '@mui/material';

export interface RunDialogActionsProps {
  busy: boolean;
  /** The chosen session asks for a confirm step (and it is not shown yet). */
  needsConfirm: boolean;
  confirming: boolean;
  /** How many objects the run would start on. */
  count: number;
  /** A session is chosen and the time limit, if any, is one: nothing to start otherwise. */
  canStart: boolean;
  onCancel: () => void;
  onBack: () => void;
  onNext: () => void;
  onStart: () => void;
}

/** Cancel, Back, and Next (to the confirm step) or "Run on N objects". */
export function RunDialogActions(props: RunDialogActionsProps) {
  const { busy, needsConfirm, confirming, count, canStart } = props;
  return (
    <DialogActions>
      <Button onClick={props.onCancel} disabled={busy}>
        Cancel
      </Button>
      {confirming ? (
        <Button onClick={props.onBack} disabled={busy}>
          Back
        </Button>
      ) : null}
      {needsConfirm && !confirming ? (
        <Button
          variant="contained"
          onClick={props.onNext}
          disabled={!canStart}
          data-testid="run-next"
        >
          Next
        </Button>
      ) : (
        <Button
          variant="contained"
          onClick={props.onStart}
          disabled={!canStart || busy || count === 0}
          data-testid="run-start"
        >
          Run on {count} {count === 1 ? 'object' : 'objects'}
        </Button>
      )}
    </DialogActions>
  );
}
