import { Alert, Box, Button, LinearProgress, Link, Typography } from '@mui/material';
import RefreshIcon from '@mui/icons-material/Refresh';
import { Link as RouterLink, useParams } from 'react-router-dom';
import type { AgentItem, NodeFacts } from '@minke/contract';
import { useApiQuery } from '../facts/use-api-query.js';
import { AgentPresence, PluginFact } from '../facts/plugin-fact-card.js';
import { DetailHeader } from '../layout/detail-header.js';
import { PageColumn } from '../layout/page-column.js';

/**
 * One agent by its node name: whether it is online, the host it belongs to, and what each of its
 * plugins last reported. A node reports before a host of its name exists (or when none ever
 * will), so its facts are here even then; a host's own page shows the same under Facts.
 */
export function AgentPage() {
  // A page per node (PagePerAddress in App.tsx): another node's address starts afresh, never
  // showing the last node's facts (a query keeps its last reply while the next one loads).
  const { node = '' } = useParams();
  const path = `/api/agents/${encodeURIComponent(node)}`;
  const agent = useApiQuery<AgentItem>(path);
  const facts = useApiQuery<NodeFacts>(`${path}/facts`);
  const error = agent.error ?? facts.error;
  return (
    <PageColumn testId="agent-page">
      <DetailHeader
        title={`Agent ${node}`}
        name={node}
        subheader={agent.data?.agentVersion ? `agent ${agent.data.agentVersion}` : undefined}
        actions={
          <Button
            size="small"
            startIcon={<RefreshIcon />}
            onClick={() => {
              agent.reload();
              facts.reload();
            }}
          >
            Refresh
          </Button>
        }
      >
        {error ? <Alert severity="error">{error}</Alert> : null}
        {agent.data ? (
          <Box sx={{ display: 'flex', gap: 2, alignItems: 'center', flexWrap: 'wrap' }}>
            <AgentPresence
              node={agent.data.node}
              online={agent.data.online}
              lastSeen={agent.data.lastSeen}
            />
            <Typography variant="body2" data-testid="agent-host">
              {agent.data.hostId === null || agent.data.hostName === null ? (
                <>no host named {node} yet: its facts attach to that host once it exists</>
              ) : (
                <>
                  host{' '}
                  <Link component={RouterLink} to={`/Host/${agent.data.hostId}/show/facts`}>
                    {agent.data.hostName}
                  </Link>
                </>
              )}
            </Typography>
          </Box>
        ) : null}
      </DetailHeader>
      {!facts.data && !error ? <LinearProgress /> : null}
      {facts.data && facts.data.facts.length === 0 ? (
        <Typography variant="body2">
          No facts yet: dispatch a plugin from the Agents page.
        </Typography>
      ) : null}
      <Box data-testid="agent-facts">
        {facts.data?.facts.map((fact) => (
          <PluginFact
            key={fact.plugin}
            fact={fact}
            factsPath={`${path}/facts`}
            host={facts.data?.host ?? undefined}
          />
        ))}
      </Box>
    </PageColumn>
  );
}
