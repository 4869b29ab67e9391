import { useMemo, useState } from 'react';
import { Button, Card, CardContent, CardHeader, Chip, Typography } from '@mui/material';
import RefreshIcon from '@mui/icons-material/Refresh';
import { useNotify } from 'react-admin';
import { Link } from 'react-router-dom';
import type { PolicyCheckReply, PolicyList, PolicySummary } from '@minke/contract';
import { api } from '../api/http.js';
import { useBusyAction } from '../api/use-busy-action.js';
import { useApiQuery } from '../facts/use-api-query.js';
import { ApiListPage } from '../layout/api-list-page.js';
import type { ApiColumn } from '../layout/api-table.js';
import { ComplianceChart } from './compliance-chart.js';

/**
 * Fact policies: each with how many hosts pass and fail it (a link to its page), and the
 * compliance of the chosen one over the last 30 days. "Check now" evaluates every policy.
 */
export function PoliciesPage() {
  const list = useApiQuery<PolicyList>('/api/policies');
  const [chosen, setChosen] = useState<string | undefined>();
  const checking = useBusyAction();
  const notify = useNotify();
  const columns = useMemo(() => policyColumns(setChosen), []);
  const charted = chosen ?? list.data?.items[0]?.name;

  const check = () =>
    checking.run(async () => {
      const outcome = await api<PolicyCheckReply>('/api/policies/check', {
        method: 'POST',
        body: {},
      });
      notify(`Checked: ${outcome.changed.length} host(s) changed standing`, { type: 'info' });
      list.reload();
    });

  return (
    <ApiListPage
      title="Policies"
      heading="Policies"
      subheader="What a compliant host satisfies, evaluated whenever its facts change"
      actions={
        <Button startIcon={<RefreshIcon />} onClick={() => void check()} disabled={checking.busy}>
          Check now
        </Button>
      }
      request={{ loading: list.loading || checking.busy, error: list.error }}
      rows={list.data?.items}
      columns={columns}
      rowKey={(policy) => policy.name}
      rowData={(policy) => ({ 'data-policy': policy.name })}
      selected={(policy) => policy.name === charted}
      testId="policy-list"
      empty={
        <>
          No policies yet: list them in <code>minke.config.ts</code> with <code>definePolicy</code>,
          or run <code>minke policies set</code>.
        </>
      }
      after={
        charted ? (
          <Card>
            <CardHeader
              title={`Compliance of ${charted}`}
              subheader="Hosts passing and failing, last 30 days"
            />
            <CardContent>
              <ComplianceChart policy={charted} />
            </CardContent>
          </Card>
        ) : null
      }
    />
  );
}

function policyColumns(onChart: (name: string) => void): ApiColumn<PolicySummary>[] {
  return [
    {
      label: 'Policy',
      cell: (policy) => (
        <>
          <Link to={`/policies/${encodeURIComponent(policy.name)}`}>{policy.name}</Link>
          <Typography variant="caption" sx={{ display: 'block' }} color="text.secondary">
            {policy.description}
          </Typography>
        </>
      ),
      sortBy: (policy) => policy.name,
    },
    {
      label: 'Condition',
      cell: (policy) => `${policy.where}${policy.scope ? ` (on ${policy.scope})` : ''}`,
      sx: { fontFamily: 'monospace', fontSize: 12 },
    },
    {
      label: 'Passing',
      align: 'right',
      cell: (policy) => (
        <Chip
          size="small"
          color="success"
          variant="outlined"
          label={policy.passing}
          data-count="passing"
        />
      ),
      sortBy: (policy) => policy.passing,
    },
    {
      label: 'Failing',
      align: 'right',
      cell: (policy) => (
        <Chip
          size="small"
          color={policy.failing > 0 ? 'error' : 'default'}
          variant={policy.failing > 0 ? 'filled' : 'outlined'}
          label={policy.failing}
          data-count="failing"
        />
      ),
      sortBy: (policy) => policy.failing,
    },
    {
      cell: (policy) => (
        <Button size="small" onClick={() => onChart(policy.name)}>
          Chart
        </Button>
      ),
    },
  ];
}
