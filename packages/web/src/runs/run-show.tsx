import { Box, Button, Card, CardContent, Stack, Typography } from '@mui/material';
import StopIcon from '@mui/icons-material/Stop';
import { Loading, Title, useGetOne, useNotify } from 'react-admin';
import { useNavigate, useParams } from 'react-router-dom';
import type { RunDetail } from '@minke/contract';
import { failedCount } from './outcome.js';
import { BatchProgress } from './batch-progress.js';
import { RerunButtons } from './rerun-buttons.js';
import { SessionName } from './session-name.js';
import { useVerboseNames } from './session-names.js';
import { RunSessionsTable } from './run-sessions-table.js';
import { SummaryChips } from './summary-chips.js';
import { stopRun } from './stop.js';

/** A run: its sessions, one per object, each linked to its page, by page and outcome; stop, re-run. */
export function RunShow() {
  const { id } = useParams();
  const notify = useNotify();
  const navigate = useNavigate();
  const names = useVerboseNames();
  const { data, isPending, refetch } = useGetOne<RunDetail & { id: number }>(
    'runs',
    { id: Number(id) },
    { refetchInterval: (query) => (query.state.data?.finishedAt ? false : 2000) },
  );
  // From the runs list, react-admin starts from the list's row, which has no sessions: wait
  if (isPending || !Array.isArray(data?.sessions)) return <Loading />;
  return (
    <Box sx={{ mt: 2 }} data-testid="run-page">
      <Title title={`Run #${data.id}`} />
      <Card>
        <CardContent>
          <Stack direction="row" spacing={2} sx={{ alignItems: 'center', mb: 2, flexWrap: 'wrap' }}>
            <Typography variant="h6">
              <SessionName name={data.session} verboseName={names.get(data.session)} /> on{' '}
              {data.model}
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
            <RerunButtons
              runId={data.id}
              session={data.session}
              model={data.model}
              failed={failedCount(data.sessions)}
              finished={data.finishedAt !== null}
              onStarted={(run) => void navigate(`/runs/${run.id}/show`)}
            />
          </Stack>
          <BatchProgress runId={data.id} finished={data.finishedAt !== null} />
          <RunSessionsTable run={data} />
        </CardContent>
      </Card>
    </Box>
  );
}
