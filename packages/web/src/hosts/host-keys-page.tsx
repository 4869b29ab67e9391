import { useState } from 'react';
import { Alert, Box, Button, Chip, TextField, Typography } from '@mui/material';
import VerifiedUserIcon from '@mui/icons-material/VerifiedUser';
import { usePermissions } from 'react-admin';
import { api } from '../api/http.js';
import type { HostKey, Me } from '@minke/contract';
import { hasPermission } from '../auth/auth-provider.js';
import { useApiQuery } from '../facts/use-api-query.js';
import { ApiListPage } from '../layout/api-list-page.js';
import type { ApiColumn } from '../layout/api-table.js';

/** One key a host presented, as `GET /api/host-keys` lists it. */
export type HostKeyItem = HostKey;

const STATUS_COLORS: Record<HostKeyItem['status'], 'success' | 'warning' | 'default'> = {
  trusted: 'success',
  pending: 'warning',
  replaced: 'default',
};

const COLUMNS: readonly ApiColumn<HostKeyItem>[] = [
  { label: 'Host', cell: (key) => key.host, sortBy: (key) => key.host },
  {
    label: 'Status',
    cell: (key) => <Chip size="small" label={key.status} color={STATUS_COLORS[key.status]} />,
    sortBy: (key) => key.status,
  },
  { label: 'Type', cell: (key) => key.keyType, sortBy: (key) => key.keyType },
  { label: 'Fingerprint', cell: (key) => key.fingerprint, sx: { fontFamily: 'monospace' } },
  { label: 'First seen', cell: (key) => key.firstSeenAt, sortBy: (key) => key.firstSeenAt },
  { label: 'Trusted by', cell: (key) => key.trustedBy ?? '', sortBy: (key) => key.trustedBy },
  { label: 'Trusted at', cell: (key) => key.trustedAt ?? '', sortBy: (key) => key.trustedAt },
];

/**
 * The fleet's known host keys. A host whose key nobody trusted yet, or whose key changed, shows
 * the key it offered (and the trusted one beside it) with a "Trust this key" action for users
 * who hold trust_host_key; everything else is the list, history included.
 */
export function HostKeysPage() {
  const [host, setHost] = useState('');
  const keys = useApiQuery<HostKeyItem[]>('/api/host-keys', { host: host.trim() || undefined });
  const { permissions } = usePermissions<Me>();
  const mayTrust = hasPermission(permissions, 'trust_host_key');
  const all = keys.data ?? [];
  const pending = all.filter((k) => k.status === 'pending');

  return (
    <ApiListPage
      title="Host keys"
      toolbar={
        <>
          <TextField
            size="small"
            sx={{ width: 280, mb: 2, display: 'flex' }}
            label="Host"
            value={host}
            onChange={(event) => setHost(event.target.value)}
          />
          {pending.map((key) => (
            <PendingKey
              key={key.id}
              offered={key}
              trusted={all.filter((k) => k.host === key.host && k.status === 'trusted')}
              mayTrust={mayTrust}
              onTrusted={keys.reload}
            />
          ))}
        </>
      }
      request={keys}
      rows={keys.data}
      columns={COLUMNS}
      rowKey={(key) => key.id}
      label="Host keys"
      empty="No host keys yet: they appear when Minke connects."
    />
  );
}

/** A key a host offered that nobody trusted: new, or beside the trusted key it would replace. */
function PendingKey(props: {
  offered: HostKeyItem;
  trusted: HostKeyItem[];
  mayTrust: boolean;
  onTrusted: () => void;
}) {
  const { offered, trusted } = props;
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const changed = trusted.length > 0;
  const trust = () => {
    setBusy(true);
    api(`/api/hosts/${encodeURIComponent(offered.host)}/host-key/trust`, {
      method: 'POST',
      body: { fingerprint: offered.fingerprint },
    }).then(
      () => {
        setBusy(false);
        props.onTrusted();
      },
      (e: unknown) => {
        setBusy(false);
        setError((e as Error).message);
      },
    );
  };
  return (
    <Alert
      severity={changed ? 'error' : 'warning'}
      sx={{ mb: 2 }}
      data-testid={`pending-key-${offered.host}`}
      action={
        props.mayTrust ? (
          <Button
            color="inherit"
            size="small"
            startIcon={<VerifiedUserIcon />}
            disabled={busy}
            onClick={trust}
          >
            {changed ? 'Replace with this key' : 'Trust this key'}
          </Button>
        ) : undefined
      }
    >
      <Typography variant="subtitle2">
        {changed
          ? `Host ${offered.host}: its key changed; connections are refused until it is replaced`
          : `Host ${offered.host}: unknown key; connections are refused until it is trusted`}
      </Typography>
      <Box sx={{ display: 'grid', gridTemplateColumns: 'auto 1fr', columnGap: 2, mt: 1 }}>
        {trusted.map((key) => (
          <KeyLine key={key.id} label="Trusted" item={key} />
        ))}
        <KeyLine label={changed ? 'Presented' : 'Offered'} item={offered} />
      </Box>
      {props.mayTrust ? null : (
        <Typography variant="body2" sx={{ mt: 1 }}>
          Compare it with the host&apos;s own key; a user with trust_host_key can trust it.
        </Typography>
      )}
      {error ? <Typography color="error">{error}</Typography> : null}
    </Alert>
  );
}

function KeyLine({ label, item }: { label: string; item: HostKeyItem }) {
  return (
    <>
      <Typography variant="body2">{label}</Typography>
      <Typography variant="body2" sx={{ fontFamily: 'monospace' }}>
        {item.keyType} {item.fingerprint}
      </Typography>
    </>
  );
}
