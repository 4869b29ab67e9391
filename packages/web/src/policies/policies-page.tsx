import { useState } from 'react';
import {
  Alert,
  Box,
  Button,
  Card,
  CardContent,
  CardHeader,
  Chip,
  LinearProgress,
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableRow,
  Typography,
} from '@mui/material';
import RefreshIcon from '@mui/icons-material/Refresh';
import { Title, useNotify } from 'react-admin';
import { Link } from 'react-router-dom';
import type { PolicyCheckReply, PolicyList, PolicySummary } from '@minke/contract';
import { api } from '../api/http.js';
import { useApiQuery } from '../facts/use-api-query.js';
import { ComplianceChart } from './compliance-chart.js';

/**
 * Fact policies: each with how many hosts pass and fail it (a link to its page), and the
 * compliance of the chosen one over the last 30 days. "Check now" evaluates every policy.
 */
export function PoliciesPage() {
  const list = useApiQuery<PolicyList>('/api/policies');
  const [chosen, setChosen] = useState<string | undefined>();
  const [checking, setChecking] = useState(false);
  const notify = useNotify();
  const policies = list.data?.items ?? [];
  const charted = chosen ?? policies[0]?.name;

  const check = async () => {
    setChecking(true);
    try {
      const outcome = await api<PolicyCheckReply>('/api/policies/check', {
        method: 'POST',
        body: {},
      });
      notify(`Checked: ${outcome.changed.length} host(s) changed standing`, { type: 'info' });
      list.reload();
    } catch (error) {
      notify((error as Error).message, { type: 'error' });
    } finally {
      setChecking(false);
    }
  };

  return (
    <Box sx={{ mt: 2, display: 'flex', flexDirection: 'column', gap: 2 }}>
      <Title title="Policies" />
      <Card>
        <CardHeader
          title="Policies"
          subheader="What a compliant host satisfies, evaluated whenever its facts change"
          action={
            <Button startIcon={<RefreshIcon />} onClick={() => void check()} disabled={checking}>
              Check now
            </Button>
          }
        />
        <CardContent>
          {list.loading || checking ? <LinearProgress /> : null}
          {list.error ? <Alert severity="error">{list.error}</Alert> : null}
          {list.data && policies.length === 0 ? (
            <Typography variant="body2">
              No policies yet: list them in <code>minke.config.ts</code> with{' '}
              <code>definePolicy</code>, or run <code>minke policies set</code>.
            </Typography>
          ) : null}
          {policies.length > 0 ? (
            <PolicyTable policies={policies} charted={charted} onChart={setChosen} />
          ) : null}
        </CardContent>
      </Card>
      {charted ? (
        <Card>
          <CardHeader
            title={`Compliance of ${charted}`}
            subheader="Hosts passing and failing, last 30 days"
          />
          <CardContent>
            <ComplianceChart policy={charted} />
          </CardContent>
        </Card>
      ) : null}
    </Box>
  );
}

function PolicyTable({
  policies,
  charted,
  onChart,
}: {
  policies: readonly PolicySummary[];
  charted: string | undefined;
  onChart: (name: string) => void;
}) {
  return (
    <Table size="small" data-testid="policy-list">
      <TableHead>
        <TableRow>
          <TableCell>Policy</TableCell>
          <TableCell>Condition</TableCell>
          <TableCell align="right">Passing</TableCell>
          <TableCell align="right">Failing</TableCell>
          <TableCell />
        </TableRow>
      </TableHead>
      <TableBody>
        {policies.map((policy) => (
          <TableRow key={policy.name} data-policy={policy.name} selected={policy.name === charted}>
            <TableCell>
              <Link to={`/policies/${encodeURIComponent(policy.name)}`}>{policy.name}</Link>
              <Typography variant="caption" sx={{ display: 'block' }} color="text.secondary">
                {policy.description}
              </Typography>
            </TableCell>
            <TableCell sx={{ fontFamily: 'monospace', fontSize: 12 }}>
              {policy.where}
              {policy.scope ? ` (on ${policy.scope})` : ''}
            </TableCell>
            <TableCell align="right" data-count="passing">
              <Chip size="small" color="success" variant="outlined" label={policy.passing} />
            </TableCell>
            <TableCell align="right" data-count="failing">
              <Chip
                size="small"
                color={policy.failing > 0 ? 'error' : 'default'}
                variant={policy.failing > 0 ? 'filled' : 'outlined'}
                label={policy.failing}
              />
            </TableCell>
            <TableCell>
              <Button size="small" onClick={() => onChart(policy.name)}>
                Chart
              </Button>
            </TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}
