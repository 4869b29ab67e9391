import { useState } from 'react';
import {
  Alert,
  Button,
  Chip,
  Dialog,
  DialogActions,
  DialogContent,
  DialogContentText,
  DialogTitle,
} from '@mui/material';
import LockOpenIcon from '@mui/icons-material/LockOpen';
import type { HostLease } from '@minke/contract';
import { api } from '../api/http.js';
import { useApiQuery } from '../facts/use-api-query.js';
import { ApiListPage } from '../layout/api-list-page.js';
import type { ApiColumn } from '../layout/api-table.js';

/** One host lease, as `GET /api/hosts/leases` lists it. */
export type HostLeaseItem = HostLease;

function leaseColumns(unlock: (lease: HostLeaseItem) => void): ApiColumn<HostLeaseItem>[] {
  return [
    {
      label: 'Host',
      cell: (lease) => lease.host,
      sortBy: (lease) => lease.host,
      sx: { whiteSpace: 'nowrap' },
    },
    {
      label: 'Owner',
      cell: (lease) => lease.owner,
      sortBy: (lease) => lease.owner,
      sx: { fontFamily: 'monospace' },
    },
    {
      label: 'Run',
      cell: (lease) => (lease.runId === null ? '' : `#${lease.runId}`),
      link: (lease) => (lease.runId === null ? null : `/runs/${lease.runId}/show`),
      sortBy: (lease) => lease.runId,
    },
    { label: 'Session', cell: (lease) => lease.session ?? '', sortBy: (lease) => lease.session },
    { label: 'Since', cell: (lease) => lease.since ?? '', sortBy: (lease) => lease.since },
    { label: 'Expires', cell: (lease) => lease.expiresAt, sortBy: (lease) => lease.expiresAt },
    {
      label: 'Status',
      cell: (lease) => (
        <Chip
          size="small"
          label={lease.expired ? 'expired' : 'held'}
          // as the run states: a live holder is "running", a dead one a warning
          color={lease.expired ? 'warning' : 'info'}
          variant="outlined"
        />
      ),
      sortBy: (lease) => lease.expired,
    },
    {
      cell: (lease) => (
        <Button
          size="small"
          color={lease.expired ? 'primary' : 'error'}
          startIcon={<LockOpenIcon />}
          onClick={() => unlock(lease)}
        >
          {lease.expired ? 'Unlock' : 'Force unlock'}
        </Button>
      ),
      sx: { whiteSpace: 'nowrap' },
    },
  ];
}

/**
 * Host locks as an admin sees them (the original's `minkeadm -L`): which process holds which
 * host for which run, and an Unlock action. A lease that has not expired may belong to a run
 * still working on the host, so clearing it is a separate "Force unlock" with a warning.
 * Superusers only: the API answers 403 to anyone else.
 */
export function HostLocksPage() {
  const leases = useApiQuery<HostLeaseItem[]>('/api/hosts/leases');
  const [unlocking, setUnlocking] = useState<HostLeaseItem>();
  const [columns] = useState(() => leaseColumns(setUnlocking));

  return (
    <ApiListPage
      title="Host locks"
      request={leases}
      rows={leases.data}
      columns={columns}
      rowKey={(lease) => lease.hostId}
      rowData={(lease) => ({ 'data-testid': `lease-${lease.host}` })}
      label="Host locks"
      empty="No host is locked."
    >
      {unlocking ? (
        <UnlockDialog
          lease={unlocking}
          onClose={(unlocked) => {
            setUnlocking(undefined);
            if (unlocked) leases.reload();
          }}
        />
      ) : null}
    </ApiListPage>
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
