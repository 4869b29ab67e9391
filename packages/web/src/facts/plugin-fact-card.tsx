import { useState } from 'react';
import {
  Box,
  Button,
  Card,
  CardContent,
  CardHeader,
  Chip,
  Tooltip,
  Typography,
} from '@mui/material';
import type { FactRecord } from '@minke/contract';
import { OnlineChip } from '../agents/online-chip.js';
import { FactChartPanel } from './fact-chart-panel.js';
import { FactHistory } from './fact-history.js';
import { JsonTree } from './json-tree.js';
import { timeAgo } from './relative-time.js';

/** An agent's node name, online or not, and when it was last heard from. */
export function AgentPresence(props: { node: string; online: boolean; lastSeen: string | null }) {
  return (
    <>
      <Typography variant="body2">
        agent <strong>{props.node}</strong>
      </Typography>
      <OnlineChip online={props.online} />
      <Tooltip title={props.lastSeen ? new Date(props.lastSeen).toLocaleString() : ''}>
        <Typography variant="body2" color="text.secondary">
          last seen {timeAgo(props.lastSeen)}
        </Typography>
      </Tooltip>
    </>
  );
}

/** What a plugin's card shows: its current value, its versions, or a numeric path's chart. */
type FactView = 'current' | 'history' | 'chart';

export interface PluginFactProps {
  fact: FactRecord;
  /** The API path of these facts (a host's or a node's); its versions are under `/history`. */
  factsPath: string;
  /** The host, for the chart (a series is a host's); without one the card has no chart. */
  host?: string | undefined;
}

/** One plugin's fact: its current value, and its history and chart on demand. */
export function PluginFact({ fact, factsPath, host }: PluginFactProps) {
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
            {host === undefined ? null : (
              <Button size="small" onClick={() => toggle('chart')}>
                {view === 'chart' ? 'Current value' : 'Chart'}
              </Button>
            )}
            <Button size="small" onClick={() => toggle('history')}>
              {view === 'history' ? 'Current value' : 'History'}
            </Button>
          </>
        }
      />
      <CardContent sx={{ pt: 0 }}>
        {view === 'history' ? <FactHistory factsPath={factsPath} plugin={fact.plugin} /> : null}
        {view === 'chart' && host !== undefined ? (
          <FactChartPanel host={host} plugin={fact.plugin} value={fact.value} />
        ) : null}
        {view === 'current' ? <JsonTree value={fact.value} /> : null}
      </CardContent>
    </Card>
  );
}
