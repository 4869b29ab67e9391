import { useMemo } from 'react';
import {
  Alert,
  Box,
  Card,
  CardContent,
  Chip,
  Stack,
  Table,
  TableBody,
  TableCell,
  TableRow,
  Typography,
} from '@mui/material';
import { Loading, Title, useGetOne } from 'react-admin';
import { Link, useParams } from 'react-router-dom';
import type { HistoryCommand, SessionRecordDetail } from '@minke/contract';
import { bufferFromCommands } from '../output/commands-buffer.js';
import { OutputView } from '../output/output-view.js';
import { TruncatedOutputNotice } from '../output/truncated-output.js';
import { SessionName } from '../runs/session-name.js';
import { OutcomeChip, StateChip } from '../runs/status-chip.js';
import { MessageList } from './message-list.js';

function when(iso: string | null): string {
  return iso ? new Date(iso).toLocaleString() : '';
}

/** A session's page: who ran what on which object, its messages and every command with output. */
export function SessionRecordShow() {
  const { id } = useParams();
  const { data, isPending, error } = useGetOne<SessionRecordDetail & { id: number }>(
    'session-records',
    { id: Number(id) },
    { refetchInterval: (query) => (isActive(query.state.data) ? 2000 : false) },
  );
  if (isPending) return <Loading />;
  if (error || !data)
    return <Alert severity="error">{(error as Error | null)?.message ?? 'not found'}</Alert>;
  // the list's copy of the record shows first, without messages and commands
  // command results are listed under Commands, with their output
  const messages = (data.messages ?? []).filter((m) => m.kind !== 'command');
  const commands = data.commands ?? [];
  return (
    <Box sx={{ mt: 2 }} data-testid="session-page">
      <Title title={`${data.verboseName || data.session} #${data.id}`} />
      <Card>
        <CardContent>
          <Stack direction="row" spacing={1} sx={{ alignItems: 'center', mb: 2 }}>
            <Typography variant="h6">
              <SessionName name={data.session} verboseName={data.verboseName} />
            </Typography>
            <StateChip state={data.processState} />
            <OutcomeChip state={data.processState} result={data.result} />
            <Typography variant="body2" color="text.secondary">
              {data.procInfo}
            </Typography>
          </Stack>
          <Table size="small" sx={{ maxWidth: 720, mb: 2 }}>
            <TableBody>
              <Row label="Object">
                <Link to={`/${data.model}/${data.objectId}/show`}>{data.objectLabel}</Link> (
                {data.model})
              </Row>
              <Row label="Host">{data.hostName ?? ''}</Row>
              <Row label="Run">
                <Link to={`/runs/${data.runId}/show`}>#{data.runId}</Link>
              </Row>
              <Row label="User">
                {data.username ?? (data.userId === null ? '' : `#${data.userId}`)}
              </Row>
              <Row label="Created">{when(data.createdAt)}</Row>
              <Row label="Started">{when(data.startedAt)}</Row>
              <Row label="Finished">{when(data.finishedAt)}</Row>
              {data.data && typeof data.data === 'object' && Object.keys(data.data).length > 0 ? (
                <Row label="Form data">
                  <code>{JSON.stringify(data.data)}</code>
                </Row>
              ) : null}
            </TableBody>
          </Table>
          <Typography variant="subtitle1" sx={{ mb: 1 }}>
            Messages
          </Typography>
          {messages.length ? (
            <MessageList messages={messages} />
          ) : (
            <Typography variant="body2" color="text.secondary">
              No messages.
            </Typography>
          )}
          <Typography variant="subtitle1" sx={{ mt: 2, mb: 1 }}>
            Commands ({commands.length})
          </Typography>
          <CommandList commands={commands} />
        </CardContent>
      </Card>
    </Box>
  );
}

function isActive(data: SessionRecordDetail | undefined): boolean {
  return !!data && ['initialized', 'running', 'stopping'].includes(data.processState);
}

function Row({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <TableRow>
      <TableCell sx={{ width: 140, color: 'text.secondary' }}>{label}</TableCell>
      <TableCell>{children}</TableCell>
    </TableRow>
  );
}

function CommandList({ commands }: { commands: HistoryCommand[] }) {
  const buffer = useMemo(() => bufferFromCommands(commands), [commands]);
  if (commands.length === 0)
    return (
      <Typography variant="body2" color="text.secondary">
        No commands.
      </Typography>
    );
  return (
    <Stack spacing={1}>
      <Box component="ol" sx={{ m: 0, pl: 3 }} data-testid="commands">
        {commands.map((command) => (
          <li key={command.id}>
            <code>{command.command}</code>{' '}
            <Chip
              size="small"
              variant="outlined"
              label={
                command.exitCode === null
                  ? (command.signal ?? 'no exit')
                  : `exit ${command.exitCode}`
              }
              color={
                command.status === 'success'
                  ? 'success'
                  : command.status === 'warning'
                    ? 'warning'
                    : 'error'
              }
            />{' '}
            <Typography component="span" variant="body2" color="text.secondary">
              {(command.durationMs / 1000).toFixed(1)} s{command.killed ? ' · killed' : ''}
              {command.timedOut ? ' · timed out' : ''}
            </Typography>
          </li>
        ))}
      </Box>
      <TruncatedOutputNotice commands={commands} />
      <OutputView buffer={buffer} version={buffer.version} height={360} follow={false} />
    </Stack>
  );
}
