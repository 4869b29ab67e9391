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
  Tooltip,
  Typography,
} from '@mui/material';
import RefreshIcon from '@mui/icons-material/Refresh';
import { OnlineChip } from '../agents/online-chip.js';
import { FactChartPanel } from './fact-chart-panel.js';
import { FactHistory } from './fact-history.js';
import { JsonTree } from './json-tree.js';
import { timeAgo } from './relative-time.js';
import type { FactRecord, HostFacts } from '@minke/contract';
import { useHostQuery } from '../hosts/use-host-query.js';

/** The Facts tab of a host's page: its agent, and what each plugin last reported. */
export function HostFactsTab() {
  const { name, reply: facts } = useHostQuery<HostFacts>('facts');
  if (name === null) return null;
  if (facts.error) return <Alert severity="error">{facts.error}</Alert>;
  if (!facts.data) return <LinearProgress />;
  const { agent } = facts.data;
  return (
    <Box data-testid="host-facts">
      <Box sx={{ display: 'flex', gap: 2, alignItems: 'center', mb: 2, flexWrap: 'wrap' }}>
        {agent ? (
          <>
            <Typography variant="body2">
              agent <strong>{agent.node}</strong>
            </Typography>
            <OnlineChip online={agent.online} />
            <Tooltip title={agent.lastSeen ? new Date(agent.lastSeen).toLocaleString() : ''}>
              <Typography variant="body2" color="text.secondary">
                last seen {timeAgo(agent.lastSeen)}
              </Typography>
            </Tooltip>
          </>
        ) : (
          <Typography variant="body2">
            No agent on this host: enrol one with <code>minke agents enroll {name}</code>.
          </Typography>
        )}
        <Button size="small" startIcon={<RefreshIcon />} onClick={facts.reload}>
          Refresh
        </Button>
      </Box>
      {agent && facts.data.facts.length === 0 ? (
        <Typography variant="body2">
          No facts yet: dispatch a plugin from the Agents page.
        </Typography>
      ) : null}
      {facts.data.facts.map((fact) => (
        <PluginFact key={fact.plugin} host={name} fact={fact} />
      ))}
    </Box>
  );
}

/** What a plugin's card shows: its current value, its versions, or a numeric path's chart. */
type FactView = 'current' | 'history' | 'chart';

function PluginFact({ host, fact }: { host: string; fact: FactRecord }) {
  const [view, setView] = useState<FactView>('current');
  const toggle = (next: FactView) => setView((shown) => (shown === next ? 'current' : next));
  return (
    <Card variant="outlined" sx={{ mb: 2 }} data-testid="plugin-fact" data-plugin={fact.plugin}>
      <CardHeader
        title={fact.plugin}
        slotProps={{ title: { variant: 'subtitle1' } }}
        subheader={
          <Box component="span" sx={{ display: 'flex', gap: 1, alignItems: 'center' }}>
            <Chip size="small" label={fact.format} variant="outlined" />
            <Tooltip title={new Date(fact.collectedAt).toLocaleString()}>
              <span data-testid="collected-at">collected {timeAgo(fact.collectedAt)}</span>
            </Tooltip>
            <span>
              · {fact.requestId ? `request ${fact.requestId}` : 'reported on its own schedule'}
            </span>
          </Box>
        }
        action={
          <>
            <Button size="small" onClick={() => toggle('chart')}>
              {view === 'chart' ? 'Current value' : 'Chart'}
            </Button>
            <Button size="small" onClick={() => toggle('history')}>
              {view === 'history' ? 'Current value' : 'History'}
            </Button>
          </>
        }
      />
      <CardContent sx={{ pt: 0 }}>
        {view === 'history' ? <FactHistory host={host} plugin={fact.plugin} /> : null}
        {view === 'chart' ? (
          <FactChartPanel host={host} plugin={fact.plugin} value={fact.value} />
        ) : null}
        {view === 'current' ? <JsonTree value={fact.value} /> : null}
      </CardContent>
    </Card>
  );
}
