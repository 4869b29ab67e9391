import { useMemo, useState } from 'react';
import {
  Alert,
  Box,
  Button,
  Card,
  CardContent,
  Chip,
  LinearProgress,
  Table,
  TableBody,
  TableCell,
  TableHead,
  TablePagination,
  TableRow,
  TextField,
  ToggleButton,
  ToggleButtonGroup,
  Tooltip,
  Typography,
} from '@mui/material';
import SendIcon from '@mui/icons-material/Send';
import { Title, usePermissions } from 'react-admin';
import { Link } from 'react-router-dom';
import type { Me } from '@minke/contract';
import { timeAgo } from '../facts/relative-time.js';
import type { AgentItem, AgentPage } from '@minke/contract';
import { useApiQuery } from '../facts/use-api-query.js';
import { DispatchDialog } from './dispatch-dialog.js';
import { OnlineChip } from './online-chip.js';

type Presence = 'all' | 'online' | 'offline';

/** The agents page: who is online, since when, what they may run, what they refused. */
export function AgentsPage() {
  const [presence, setPresence] = useState<Presence>('all');
  const [search, setSearch] = useState('');
  const [page, setPage] = useState(0);
  const [perPage, setPerPage] = useState(25);
  const [dispatchTo, setDispatchTo] = useState<string[] | undefined>();
  const { permissions } = usePermissions<Me>();
  const mayDispatch =
    permissions?.isSuperuser === true || permissions?.permissions.includes('change_host') === true;
  const agents = useApiQuery<AgentPage>('/api/agents', {
    online: presence === 'all' ? undefined : presence === 'online',
    search: search.trim() || undefined,
    limit: perPage,
    offset: page * perPage,
  });
  const plugins = useMemo(
    () => [...new Set((agents.data?.items ?? []).flatMap((a) => a.plugins.map((p) => p.name)))],
    [agents.data],
  );

  return (
    <Card sx={{ mt: 2 }}>
      <Title title="Agents" />
      <CardContent>
        <Box sx={{ display: 'flex', gap: 2, alignItems: 'center', flexWrap: 'wrap', mb: 2 }}>
          <ToggleButtonGroup
            size="small"
            exclusive
            value={presence}
            onChange={(_event, value: Presence | null) => {
              if (value) setPresence(value);
              setPage(0);
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
              setPage(0);
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
        {agents.loading && !agents.data ? <LinearProgress /> : null}
        {agents.error ? <Alert severity="error">{agents.error}</Alert> : null}
        {agents.data ? (
          <AgentTable
            page={agents.data}
            onDispatch={mayDispatch ? (node) => setDispatchTo([node]) : undefined}
          />
        ) : null}
        {agents.data && agents.data.total > 0 ? (
          <TablePagination
            component="div"
            count={agents.data.total}
            page={page}
            rowsPerPage={perPage}
            rowsPerPageOptions={[10, 25, 50, 100]}
            onPageChange={(_event, next) => setPage(next)}
            onRowsPerPageChange={(event) => {
              setPerPage(Number(event.target.value));
              setPage(0);
            }}
          />
        ) : null}
      </CardContent>
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
    </Card>
  );
}

function AgentTable({
  page,
  onDispatch,
}: {
  page: AgentPage;
  onDispatch: ((node: string) => void) | undefined;
}) {
  if (page.fleet.total === 0) {
    return (
      <Typography variant="body2">
        No agents yet: enrol one with <code>minke agents enroll NODE --out FILE</code>, then run{' '}
        <code>minke-agent run --config FILE</code> on the node.
      </Typography>
    );
  }
  if (page.total === 0) return <Typography variant="body2">No agent matches.</Typography>;
  return (
    <Box sx={{ overflowX: 'auto' }}>
      <Table size="small" data-testid="agents-table">
        <TableHead>
          <TableRow>
            <TableCell>Node</TableCell>
            <TableCell>State</TableCell>
            <TableCell>Last seen</TableCell>
            <TableCell>Host</TableCell>
            <TableCell>Plugins</TableCell>
            <TableCell>Rejected plugin files</TableCell>
            <TableCell>Last refused result</TableCell>
            <TableCell>Version</TableCell>
            {onDispatch ? <TableCell /> : null}
          </TableRow>
        </TableHead>
        <TableBody>
          {page.items.map((agent) => (
            <AgentRow key={agent.id} agent={agent} onDispatch={onDispatch} />
          ))}
        </TableBody>
      </Table>
    </Box>
  );
}

function AgentRow({
  agent,
  onDispatch,
}: {
  agent: AgentItem;
  onDispatch: ((node: string) => void) | undefined;
}) {
  return (
    <TableRow data-node={agent.node}>
      <TableCell sx={{ whiteSpace: 'nowrap' }}>
        <strong>{agent.node}</strong>
        {agent.enrolled ? null : (
          <Typography variant="caption" color="warning.main" sx={{ display: 'block' }}>
            not enrolled
          </Typography>
        )}
      </TableCell>
      <TableCell>
        <OnlineChip online={agent.online} />
      </TableCell>
      <TableCell sx={{ whiteSpace: 'nowrap' }}>
        <Tooltip title={agent.lastSeen ? new Date(agent.lastSeen).toLocaleString() : ''}>
          <span data-testid="last-seen">{timeAgo(agent.lastSeen)}</span>
        </Tooltip>
      </TableCell>
      <TableCell>
        {agent.hostId === null ? (
          <Typography variant="caption" color="text.secondary">
            no host
          </Typography>
        ) : (
          <Link to={`/Host/${agent.hostId}/show/facts`}>{agent.hostName}</Link>
        )}
      </TableCell>
      <TableCell>
        <Box sx={{ display: 'flex', gap: 0.5, flexWrap: 'wrap' }}>
          {agent.plugins.map((plugin) => (
            <Tooltip
              key={plugin.name}
              title={`${plugin.description ?? ''}${plugin.format ? ` (${plugin.format})` : ''}`}
            >
              <Chip
                size="small"
                variant="outlined"
                label={
                  plugin.commandAlias ? `${plugin.name} (${plugin.commandAlias})` : plugin.name
                }
                data-plugin={plugin.name}
              />
            </Tooltip>
          ))}
        </Box>
      </TableCell>
      <TableCell>
        {agent.rejected.map((rejected) => (
          <Typography
            key={rejected.file}
            variant="caption"
            sx={{ display: 'block' }}
            color="error"
            data-testid="rejected-plugin"
          >
            {rejected.file}: {rejected.reason}
          </Typography>
        ))}
      </TableCell>
      <TableCell>
        <LastRefusal refusal={agent.lastRefusal} />
      </TableCell>
      <TableCell>{agent.agentVersion ?? '—'}</TableCell>
      {onDispatch ? (
        <TableCell>
          <Button size="small" onClick={() => onDispatch(agent.node)}>
            Dispatch
          </Button>
        </TableCell>
      ) : null}
    </TableRow>
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
