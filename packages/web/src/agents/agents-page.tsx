import { useMemo, useState } from 'react';
import {
  Box,
  Button,
  Chip,
  TextField,
  ToggleButton,
  ToggleButtonGroup,
  Tooltip,
  Typography,
} from '@mui/material';
import SendIcon from '@mui/icons-material/Send';
import { usePermissions } from 'react-admin';
import type { AgentItem, AgentPage, Me } from '@minke/contract';
import { timeAgo } from '../facts/relative-time.js';
import { hasPermission } from '../auth/auth-provider.js';
import { useApiQuery } from '../facts/use-api-query.js';
import { ApiListPage } from '../layout/api-list-page.js';
import { usePaging, type ApiColumn } from '../layout/api-table.js';
import { MissingLink } from '../layout/missing-link.js';
import { DispatchDialog } from './dispatch-dialog.js';
import { OnlineChip } from './online-chip.js';

type Presence = 'all' | 'online' | 'offline';

/** The agents page: who is online, since when, what they may run, what they refused. */
export function AgentsPage() {
  const [presence, setPresence] = useState<Presence>('all');
  const [search, setSearch] = useState('');
  const paging = usePaging();
  const [dispatchTo, setDispatchTo] = useState<string[] | undefined>();
  const { permissions } = usePermissions<Me>();
  const mayDispatch = hasPermission(permissions, 'change_host');
  const agents = useApiQuery<AgentPage>('/api/agents', {
    online: presence === 'all' ? undefined : presence === 'online',
    search: search.trim() || undefined,
    ...paging.query,
  });
  const plugins = useMemo(
    () => [...new Set((agents.data?.items ?? []).flatMap((a) => a.plugins.map((p) => p.name)))],
    [agents.data],
  );
  const columns = useMemo(
    () => agentColumns(mayDispatch ? (node) => setDispatchTo([node]) : undefined),
    [mayDispatch],
  );

  return (
    <ApiListPage
      title="Agents"
      toolbar={
        <Box sx={{ display: 'flex', gap: 2, alignItems: 'center', flexWrap: 'wrap', mb: 2 }}>
          <ToggleButtonGroup
            size="small"
            exclusive
            value={presence}
            onChange={(_event, value: Presence | null) => {
              if (value) setPresence(value);
              paging.restart();
            }}
          >
            <ToggleButton value="all">all</ToggleButton>
            <ToggleButton value="online">online</ToggleButton>
            <ToggleButton value="offline">offline</ToggleButton>
          </ToggleButtonGroup>
          <TextField
            size="small"
            fullWidth={false}
            sx={{ width: 280 }}
            label="Search node or host"
            value={search}
            onChange={(event) => {
              setSearch(event.target.value);
              paging.restart();
            }}
          />
          {agents.data ? (
            <Typography variant="body2" data-testid="agents-summary">
              {agents.data.fleet.online} / {agents.data.fleet.total} online
            </Typography>
          ) : null}
          <Box sx={{ flex: 1 }} />
          {mayDispatch ? (
            <Button
              variant="contained"
              startIcon={<SendIcon />}
              onClick={() => setDispatchTo([])}
              data-testid="dispatch-open"
            >
              Dispatch plugin
            </Button>
          ) : null}
        </Box>
      }
      request={agents}
      rows={agents.data?.items}
      columns={columns}
      rowKey={(agent) => agent.id}
      rowData={(agent) => ({ 'data-node': agent.node })}
      testId="agents-table"
      paging={paging.of(agents.data?.total ?? 0)}
      empty={
        agents.data?.fleet.total === 0 ? (
          <>
            No agents yet: enrol one with <code>minke agents enroll NODE --out FILE</code>, then run{' '}
            <code>minke-agent run --config FILE</code> on the node.
          </>
        ) : (
          'No agent matches.'
        )
      }
    >
      {dispatchTo === undefined ? null : (
        <DispatchDialog
          open
          onClose={() => {
            setDispatchTo(undefined);
            agents.reload();
          }}
          plugins={plugins}
          nodes={dispatchTo}
          onAnswered={agents.reload}
        />
      )}
    </ApiListPage>
  );
}

function agentColumns(onDispatch: ((node: string) => void) | undefined): ApiColumn<AgentItem>[] {
  const columns: ApiColumn<AgentItem>[] = [
    {
      label: 'Node',
      cell: (agent) => (
        <>
          <strong>{agent.node}</strong>
          {agent.enrolled ? null : (
            <Typography variant="caption" color="warning.main" sx={{ display: 'block' }}>
              not enrolled
            </Typography>
          )}
        </>
      ),
      link: (agent) => `/agents/${encodeURIComponent(agent.node)}`,
      sortBy: (agent) => agent.node,
      sx: { whiteSpace: 'nowrap' },
    },
    {
      label: 'State',
      cell: (agent) => <OnlineChip online={agent.online} />,
      sortBy: (agent) => agent.online,
    },
    {
      label: 'Last seen',
      cell: (agent) => (
        <Tooltip title={agent.lastSeen ? new Date(agent.lastSeen).toLocaleString() : ''}>
          <span data-testid="last-seen">{timeAgo(agent.lastSeen)}</span>
        </Tooltip>
      ),
      sortBy: (agent) => agent.lastSeen,
      sx: { whiteSpace: 'nowrap' },
    },
    {
      label: 'Host',
      cell: (agent) =>
        agent.hostId === null ? <MissingLink>no host</MissingLink> : agent.hostName,
      link: (agent) => (agent.hostId === null ? null : `/Host/${agent.hostId}/show/facts`),
      sortBy: (agent) => agent.hostName,
    },
    { label: 'Plugins', cell: (agent) => <PluginChips plugins={agent.plugins} /> },
    {
      label: 'Rejected plugin files',
      cell: (agent) =>
        agent.rejected.map((rejected) => (
          <Typography
            key={rejected.file}
            variant="caption"
            sx={{ display: 'block' }}
            color="error"
            data-testid="rejected-plugin"
          >
            {rejected.file}: {rejected.reason}
          </Typography>
        )),
    },
    { label: 'Last refused result', cell: (agent) => <LastRefusal refusal={agent.lastRefusal} /> },
    {
      label: 'Version',
      cell: (agent) => agent.agentVersion ?? '—',
      sortBy: (agent) => agent.agentVersion,
    },
  ];
  if (!onDispatch) return columns;
  return [
    ...columns,
    {
      cell: (agent) => (
        <Button size="small" onClick={() => onDispatch(agent.node)}>
          Dispatch
        </Button>
      ),
    },
  ];
}

function PluginChips({ plugins }: { plugins: AgentItem['plugins'] }) {
  return (
    <Box sx={{ display: 'flex', gap: 0.5, flexWrap: 'wrap' }}>
      {plugins.map((plugin) => (
        <Tooltip
          key={plugin.name}
          title={`${plugin.description ?? ''}${plugin.format ? ` (${plugin.format})` : ''}`}
        >
          <Chip
            size="small"
            variant="outlined"
            label={plugin.commandAlias ? `${plugin.name} (${plugin.commandAlias})` : plugin.name}
            data-plugin={plugin.name}
          />
        </Tooltip>
      ))}
    </Box>
  );
}

/** Why the server last refused one of the node's results, and when (its facts may be stale). */
function LastRefusal({ refusal }: { refusal: AgentItem['lastRefusal'] }) {
  if (!refusal) return null;
  return (
    <Tooltip title={new Date(refusal.at).toLocaleString()}>
      <Typography
        variant="caption"
        sx={{ display: 'block' }}
        color="warning.main"
        data-testid="last-refusal"
      >
        {timeAgo(refusal.at)}: {refusal.reason}
      </Typography>
    </Tooltip>
  );
}
