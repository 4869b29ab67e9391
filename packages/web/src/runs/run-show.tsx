import { useEffect, useState } from 'react';
import { Alert, Box, Button, Card, CardContent, Stack, Typography } from '@mui/material';
import StopIcon from '@mui/icons-material/Stop';
import { Loading, Title, useNotify } from 'react-admin';
import { useNavigate, useParams } from 'react-router-dom';
import type { OutcomeFilter, RunSessionsPage } from '@minke/contract';
import { useApiQuery } from '../facts/use-api-query.js';
import { BatchProgress } from './batch-progress.js';
import { RerunButtons } from './rerun-buttons.js';
import { RunNotifications } from './run-notifications.js';
import { SessionName } from './session-name.js';
import { useVerboseNames } from './session-names.js';
import { sessionsQuery } from './run-sessions-page.js';
import { RunSessionsTable } from './run-sessions-table.js';
import { SummaryChips } from './summary-chips.js';
import { stopRun } from './stop.js';
import { perObjectText, wholeRunText } from './time-limit.js';

/** How often the page reads the run again while it goes. */
const POLL_MS = 2000;

/**
 * A run: its sessions, one per object, each linked to its page, by page and outcome; its time
 * limit per object, if it was started with one; stop, re-run.
 * While the run goes it reads the page it shows every two seconds (the server pages and counts:
 * a run on 10,000 hosts is not sent whole).
 */
export function RunShow() {
  const { id } = useParams();
  // Another run (a re-run opens its page) starts from its first page, with nothing of this one.
  return <RunPage key={id} id={Number(id)} />;
}

function RunPage({ id }: { id: number }) {
  const notify = useNotify();
  const navigate = useNavigate();
  const names = useVerboseNames();
  const [show, setShow] = useState<OutcomeFilter>('all');
  const [asked, setAsked] = useState(0);
  const { data, error, reload } = useApiQuery<RunSessionsPage>(
    `/api/runs/${id}/sessions`,
    sessionsQuery(show, asked),
  );
  const finished = data ? data.run.finishedAt !== null : false;
  useEffect(() => {
    if (finished) return;
    const timer = setInterval(reload, POLL_MS);
    return () => clearInterval(timer);
  }, [finished, reload]);
  if (!data) return error ? <Alert severity="error">{error}</Alert> : <Loading />;
  const { run } = data;
  return (
    <Box sx={{ mt: 2 }} data-testid="run-page">
      <Title title={`Run #${run.id}`} />
      <Card>
        <CardContent>
          <Stack direction="row" spacing={2} sx={{ alignItems: 'center', mb: 2, flexWrap: 'wrap' }}>
            <Typography variant="h6">
              <SessionName name={run.session} verboseName={names.get(run.session)} /> on {run.model}
            </Typography>
            <SummaryChips summary={run.summary} />
            {run.timeoutMs ? (
              <Typography variant="body2" color="text.secondary" data-testid="run-time-limit">
                {perObjectText(run.timeoutMs)}
              </Typography>
            ) : null}
            {run.runTimeoutMs ? (
              <Typography variant="body2" color="text.secondary" data-testid="run-wide-limit">
                {wholeRunText(run.runTimeoutMs)}
              </Typography>
            ) : null}
            <Box sx={{ flex: 1 }} />
            {!finished ? (
              <Button
                color="error"
                variant="outlined"
                startIcon={<StopIcon />}
                onClick={() => {
                  stopRun(run.id).then(reload, (e: unknown) =>
                    notify((e as Error).message, { type: 'error' }),
                  );
                }}
              >
                Stop
              </Button>
            ) : null}
            <RerunButtons
              runId={run.id}
              session={run.session}
              model={run.model}
              failed={data.failed}
              finished={finished}
              onStarted={(started) => void navigate(`/runs/${started.id}/show`)}
            />
          </Stack>
          {error ? (
            <Alert severity="warning" sx={{ mb: 1 }}>
              {error}
            </Alert>
          ) : null}
          <BatchProgress runId={run.id} finished={finished} />
          <RunNotifications runId={run.id} finished={finished} />
          <RunSessionsTable
            page={data}
            show={show}
            onShow={(filter) => {
              setShow(filter);
              setAsked(0);
            }}
            onPage={setAsked}
          />
        </CardContent>
      </Card>
    </Box>
  );
}
