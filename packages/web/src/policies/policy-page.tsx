import { useState } from 'react';
import { Alert, Box, Button, Checkbox, Typography } from '@mui/material';
import PlayArrowIcon from '@mui/icons-material/PlayArrow';
import { useNotify } from 'react-admin';
import { useNavigate, useParams } from 'react-router-dom';
import type { PolicyHostPage, PolicyList, SessionMeta, StartedRun } from '@minke/contract';
import { useApiQuery } from '../facts/use-api-query.js';
import { timeAgo } from '../facts/relative-time.js';
import { ApiListCard } from '../layout/api-list-page.js';
import type { ApiColumn } from '../layout/api-table.js';
import { DetailHeader } from '../layout/detail-header.js';
import { PageColumn } from '../layout/page-column.js';
import { RunSessionDialog } from '../runs/run-session-dialog.js';
import { ComplianceChart } from './compliance-chart.js';

type FailingHost = PolicyHostPage['items'][number];

/**
 * One policy: its condition, its compliance chart, and its failing hosts (failing since when),
 * with "Run session on these" to remediate: the run dialog on the ticked failing hosts.
 */
export function PolicyPage() {
  const { name = '' } = useParams();
  const navigate = useNavigate();
  const notify = useNotify();
  const policies = useApiQuery<PolicyList>('/api/policies');
  const failing = useApiQuery<PolicyHostPage>(`/api/policies/${encodeURIComponent(name)}/hosts`, {
    status: 'failing',
    limit: 1000,
  });
  const [unticked, setUnticked] = useState<Set<number>>(new Set());
  const [running, setRunning] = useState(false);
  const policy = policies.data?.items.find((p) => p.name === name);
  const targets = (failing.data?.items ?? [])
    .filter((h) => !unticked.has(h.hostId))
    .map((h) => ({ id: h.hostId, label: h.host }));
  const tick = (hostId: number, ticked: boolean) =>
    setUnticked((old) => {
      const next = new Set(old);
      if (ticked) next.delete(hostId);
      else next.add(hostId);
      return next;
    });

  const started = (run: StartedRun, session: SessionMeta) => {
    setRunning(false);
    notify(`Started ${session.verboseName} on ${run.records.length} failing host(s)`, {
      type: 'info',
    });
    void navigate(`/runs/${run.id}/show`);
  };

  return (
    <PageColumn>
      <DetailHeader
        title={`Policy ${name}`}
        name={name}
        subheader={policy ? policy.description || 'no description' : undefined}
      >
        {policies.error ? <Alert severity="error">{policies.error}</Alert> : null}
        {policy ? (
          <Typography variant="body2" sx={{ fontFamily: 'monospace' }} data-testid="policy-where">
            {policy.where}
            {policy.scope ? `   — on hosts where ${policy.scope}` : '   — on every host'}
          </Typography>
        ) : null}
        <Box sx={{ mt: 2 }}>
          <ComplianceChart policy={name} />
        </Box>
      </DetailHeader>
      <ApiListCard
        heading={`Failing hosts (${failing.data?.total ?? '…'})`}
        actions={
          <Button
            variant="contained"
            startIcon={<PlayArrowIcon />}
            disabled={targets.length === 0}
            onClick={() => setRunning(true)}
            data-testid="remediate"
          >
            Run session on these
          </Button>
        }
        request={failing}
        rows={failing.data?.items}
        columns={failingColumns((host) => !unticked.has(host.hostId), tick)}
        rowKey={(host) => host.hostId}
        rowData={(host) => ({ 'data-host': host.host })}
        testId="failing-hosts"
        empty="Every host in scope passes."
      />
      <RunSessionDialog
        model="Host"
        open={running}
        targets={targets}
        onClose={() => setRunning(false)}
        onStarted={started}
      />
    </PageColumn>
  );
}

function failingColumns(
  ticked: (host: FailingHost) => boolean,
  tick: (hostId: number, ticked: boolean) => void,
): ApiColumn<FailingHost>[] {
  return [
    {
      padding: 'checkbox',
      cell: (host) => (
        <Checkbox
          size="small"
          checked={ticked(host)}
          onChange={(event) => tick(host.hostId, event.target.checked)}
        />
      ),
    },
    {
      label: 'Host',
      cell: (host) => host.host,
      link: (host) => `/Host/${host.hostId}/show/policies`,
      sortBy: (host) => host.host,
    },
    {
      label: 'Failing since',
      cell: (host) => <span title={host.since}>{timeAgo(host.since)}</span>,
      sortBy: (host) => host.since,
    },
    {
      label: 'Last checked',
      cell: (host) => <span title={host.checkedAt}>{timeAgo(host.checkedAt)}</span>,
      sortBy: (host) => host.checkedAt,
    },
  ];
}
