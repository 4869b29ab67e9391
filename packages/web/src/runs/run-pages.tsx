import { Box, Button, Card, CardContent, Chip, Stack, Typography } from '@mui/material';
import StopIcon from '@mui/icons-material/Stop';
import {
  Datagrid,
  DateField,
  FunctionField,
  List,
  Loading,
  TextField,
  Title,
  useGetOne,
  useNotify,
  type RaRecord,
} from 'react-admin';
import { Link, useParams } from 'react-router-dom';
import type { RunDetail, RunItem, RunSummary } from '@minke/contract';
import { ResultChip, RESULT_COLORS, StateChip } from './status-chip.js';
import { stopRun } from './stop.js';

export function SummaryChips({ summary }: { summary: RunSummary | undefined }) {
  if (!summary) return null;
  return (
    <Stack direction="row" spacing={0.5}>
      <Chip size="small" label={`${summary.done}/${summary.all} done`} />
      {summary.success ? (
        <Chip size="small" label={summary.success} sx={{ bgcolor: RESULT_COLORS.success }} />
      ) : null}
      {summary.warning ? (
        <Chip size="small" label={summary.warning} sx={{ bgcolor: RESULT_COLORS.warning }} />
      ) : null}
      {summary.error ? (
        <Chip size="small" label={summary.error} sx={{ bgcolor: RESULT_COLORS.error }} />
      ) : null}
    </Stack>
  );
}

/** Runs (one per "Run session"), newest first; superusers see everyone's. */
export function RunList() {
  return (
    <List resource="runs" title="Runs" perPage={25} exporter={false}>
      <Datagrid bulkActionButtons={false} rowClick="show">
        <TextField source="id" label="#" />
        <TextField source="session" sortable={false} />
        <TextField source="model" sortable={false} />
        <TextField source="state" sortable={false} />
        <FunctionField
          label="Summary"
          render={(r: RaRecord) => <SummaryChips summary={(r as unknown as RunItem).summary} />}
        />
        <DateField source="createdAt" label="Created" showTime sortable={false} />
        <DateField source="finishedAt" label="Finished" showTime sortable={false} emptyText="" />
      </Datagrid>
    </List>
  );
}

/** A run: its sessions, one per object, each linked to its page. */
export function RunShow() {
  const { id } = useParams();
  const notify = useNotify();
  const { data, isPending, refetch } = useGetOne<RunDetail & { id: number }>(
    'runs',
    { id: Number(id) },
    { refetchInterval: (query) => (query.state.data?.finishedAt ? false : 2000) },
  );
  if (isPending || !data) return <Loading />;
  return (
    <Box sx={{ mt: 2 }}>
      <Title title={`Run #${data.id}`} />
      <Card>
        <CardContent>
          <Stack direction="row" spacing={2} sx={{ alignItems: 'center', mb: 2 }}>
            <Typography variant="h6">
              {data.session} on {data.model}
            </Typography>
            <SummaryChips summary={data.summary} />
            <Box sx={{ flex: 1 }} />
            {!data.finishedAt ? (
              <Button
                color="error"
                variant="outlined"
                startIcon={<StopIcon />}
                onClick={() => {
                  stopRun(data.id).then(
                    () => void refetch(),
                    (e: unknown) => notify((e as Error).message, { type: 'error' }),
                  );
                }}
              >
                Stop
              </Button>
            ) : null}
          </Stack>
          <Box component="table" sx={{ borderCollapse: 'collapse', width: '100%' }}>
            <tbody>
              {data.sessions.map((s) => (
                <Box
                  component="tr"
                  key={s.id}
                  sx={{
                    bgcolor: s.result ? RESULT_COLORS[s.result] : undefined,
                    '& td': { p: 0.75, borderBottom: '1px solid #eee' },
                  }}
                >
                  <td>
                    <Link to={`/session-records/${s.id}/show`}>#{s.id}</Link>
                  </td>
                  <td>
                    <Link to={`/${data.model}/${s.objectId}/show`}>{s.objectLabel}</Link>
                  </td>
                  <td>{s.hostName}</td>
                  <td>
                    <StateChip state={s.processState} />
                  </td>
                  <td>
                    <ResultChip result={s.result} />
                  </td>
                  <td>{s.procInfo}</td>
                </Box>
              ))}
            </tbody>
          </Box>
        </CardContent>
      </Card>
    </Box>
  );
}
