import { useState } from 'react';
import {
  Alert,
  Button,
  Card,
  CardContent,
  Chip,
  Dialog,
  DialogActions,
  DialogContent,
  DialogContentText,
  DialogTitle,
  LinearProgress,
  Link,
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableRow,
  Typography,
} from '@mui/material';
import LockOpenIcon from '@mui/icons-material/LockOpen';
import { Title } from 'react-admin';
import type { HostLease } from '@minke/contract';
import { api } from '../api/http.js';
import { useApiQuery } from '../facts/use-api-query.js';

/** One host lease, as `GET /api/hosts/leases` lists it. */
export type HostLeaseItem = HostLease;

/**
 * Host locks as an admin sees them (the original's `minkeadm -L`): which process holds which
 * host for which run, and an Unlock action. A lease that has not expired may belong to a run
 * still working on the host, so clearing it is a separate "Force unlock" with a warning.
 * Superusers only: the API answers 403 to anyone else.
 */
export function HostLocksPage() {
  const leases = useApiQuery<HostLeaseItem[]>('/api/hosts/leases');
  const [unlocking, setUnlocking] = useState<HostLeaseItem>();
  const all = leases.data ?? [];

  return (
    <Card sx={{ mt: 2 }}>
      <Title title="Host locks" />
      <CardContent>
        {leases.loading ? <LinearProgress /> : null}
        {leases.error ? <Alert severity="error">{leases.error}</Alert> : null}
        <Table size="small" aria-label="Host locks">
          <TableHead>
            <TableRow>
              <TableCell>Host</TableCell>
              <TableCell>Owner</TableCell>
              <TableCell>Run</TableCell>
              <TableCell>Session</TableCell>
              <TableCell>Since</TableCell>
              <TableCell>Expires</TableCell>
              <TableCell>Status</TableCell>
              <TableCell />
            </TableRow>
          </TableHead>
          <TableBody>
            {all.map((lease) => (
              <TableRow key={lease.hostId} data-testid={`lease-${lease.host}`}>
                <TableCell sx={{ whiteSpace: 'nowrap' }}>{lease.host}</TableCell>
                <TableCell sx={{ fontFamily: 'monospace' }}>{lease.owner}</TableCell>
                <TableCell>
                  {lease.runId === null ? (
                    ''
                  ) : (
                    <Link href={`#/runs/${lease.runId}/show`}>#{lease.runId}</Link>
                  )}
                </TableCell>
                <TableCell>{lease.session ?? ''}</TableCell>
                <TableCell>{lease.since ?? ''}</TableCell>
                <TableCell>{lease.expiresAt}</TableCell>
                <TableCell>
                  <Chip
                    size="small"
                    label={lease.expired ? 'expired' : 'held'}
                    // as the run states: a live holder is "running", a dead one a warning
                    color={lease.expired ? 'warning' : 'info'}
                    variant="outlined"
                  />
                </TableCell>
                <TableCell sx={{ whiteSpace: 'nowrap' }}>
                  <Button
                    size="small"
                    color={lease.expired ? 'primary' : 'error'}
                    startIcon={<LockOpenIcon />}
                    onClick={() => setUnlocking(lease)}
                  >
                    {lease.expired ? 'Unlock' : 'Force unlock'}
                  </Button>
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
        {!leases.loading && !leases.error && all.length === 0 ? (
          <Typography sx={{ mt: 2 }}>No host is locked.</Typography>
        ) : null}
        {unlocking ? (
          <UnlockDialog
            lease={unlocking}
            onClose={(unlocked) => {
              setUnlocking(undefined);
              if (unlocked) leases.reload();
            }}
          />
        ) : null}
      </CardContent>
    </Card>
  );
}

/** Confirms an unlock; a lease still renewed is cleared only with `force`, after a warning. */
function UnlockDialog(props: { lease: HostLeaseItem; onClose: (unlocked: boolean) => void }) {
  const { lease } = props;
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const unlock = () => {
    setBusy(true);
    api(`/api/hosts/${encodeURIComponent(lease.host)}/lease`, {
      method: 'DELETE',
      query: lease.expired ? {} : { force: 'true' },
    }).then(
      () => props.onClose(true),
      (e: unknown) => {
        setBusy(false);
        setError((e as Error).message);
      },
    );
  };
  return (
    <Dialog open onClose={() => props.onClose(false)} data-testid="unlock-dialog">
      <DialogTitle>
        {lease.expired ? `Unlock ${lease.host}?` : `Force unlock ${lease.host}?`}
      </DialogTitle>
      <DialogContent>
        {lease.expired ? (
          <DialogContentText>
            Its holder {lease.owner} stopped renewing the lease; the next run may take the host at
            once.
          </DialogContentText>
        ) : (
          <Alert severity="warning">
            This lease has not expired: {lease.owner}
            {lease.runId === null ? '' : ` (run #${lease.runId})`} still renews it, so that run may
            still be working on {lease.host}. Unlocking lets another run onto the host at the same
            time.
          </Alert>
        )}
        {error ? (
          <Alert severity="error" sx={{ mt: 2 }}>
            {error}
          </Alert>
        ) : null}
      </DialogContent>
      <DialogActions>
        <Button onClick={() => props.onClose(false)}>Cancel</Button>
        <Button
          color={lease.expired ? 'primary' : 'error'}
          variant="contained"
          disabled={busy}
          onClick={unlock}
        >
          {lease.expired ? 'Unlock' : 'Force unlock'}
        </Button>
      </DialogActions>
    </Dialog>
  );
}
