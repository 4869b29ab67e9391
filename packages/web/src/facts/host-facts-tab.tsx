import { Alert, Box, Button, LinearProgress, Typography } from '@mui/material';
import RefreshIcon from '@mui/icons-material/Refresh';
import type { HostFacts } from '@minke/contract';
import { useHostQuery } from '../hosts/use-host-query.js';
import { AgentPresence, PluginFact } from './plugin-fact-card.js';

/** The Facts tab of a host's page: its agent, and what each plugin last reported. */
export function HostFactsTab() {
  const { name, reply: facts } = useHostQuery<HostFacts>('facts');
  if (name === null) return null;
  if (facts.error) return <Alert severity="error">{facts.error}</Alert>;
  if (!facts.data) return <LinearProgress data-testid="host-facts-loading" />;
  const { agent } = facts.data;
  return (
    <Box data-testid="host-facts">
      <Box sx={{ display: 'flex', gap: 2, alignItems: 'center', mb: 2, flexWrap: 'wrap' }}>
        {agent ? (
          <AgentPresence node={agent.node} online={agent.online} lastSeen={agent.lastSeen} />
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
        <PluginFact
          key={fact.plugin}
          fact={fact}
          factsPath={`/api/hosts/${encodeURIComponent(name)}/facts`}
          host={name}
        />
      ))}
    </Box>
  );
}
