import { useState } from 'react';
import {
  Button,
  Dialog,
  DialogActions,
  DialogContent,
  DialogTitle,
  TextField,
} from '@mui/material';

/**
 * Asks the secret fields a job asks at launch (typed as passwords, never kept by the page once
 * launched), then launches with them.
 */
export function LaunchDialog({
  jobName,
  fields,
  open,
  busy,
  onClose,
  onLaunch,
}: {
  jobName: string;
  fields: readonly string[];
  open: boolean;
  busy: boolean;
  onClose: () => void;
  onLaunch: (data: Record<string, string>) => Promise<boolean>;
}) {
  const [asked, setAsked] = useState<Record<string, string>>({});
  const launch = async () => {
    if (await onLaunch(asked)) setAsked({});
  };
  return (
    <Dialog open={open} onClose={onClose}>
      <DialogTitle>Launch {jobName}</DialogTitle>
      <DialogContent>
        {fields.map((field) => (
          <TextField
            key={field}
            sx={{ mt: 1 }}
            fullWidth
            type="password"
            autoComplete="off"
            label={field}
            name={`ask-${field}`}
            value={asked[field] ?? ''}
            onChange={(e) => setAsked({ ...asked, [field]: e.target.value })}
          />
        ))}
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose}>Cancel</Button>
        <Button variant="contained" disabled={busy} onClick={() => void launch()}>
          Launch
        </Button>
      </DialogActions>
    </Dialog>
  );
}
