import { Button, Card, CardContent, CardHeader, Stack, Typography } from '@mui/material';
import type { JobDetail } from '@minke/contract';
import { when } from './job-text.js';
import { NextTimes } from './next-times.js';

/** A job's schedule: its cron and rules, the next times, and Enable/Disable for who may. */
export function JobScheduleCard({
  schedule,
  mayManage,
  onSwitch,
}: {
  schedule: JobDetail['schedule'];
  mayManage: boolean;
  onSwitch: (enabled: boolean) => void;
}) {
  return (
    <Card>
      <CardHeader
        title="Schedule"
        action={
          schedule && mayManage ? (
            <Button onClick={() => onSwitch(!schedule.enabled)}>
              {schedule.enabled ? 'Disable' : 'Enable'}
            </Button>
          ) : null
        }
      />
      <CardContent data-testid="job-schedule">
        {schedule ? (
          <Stack spacing={1}>
            <Typography>
              {schedule.cron} ({schedule.timezone})
              {schedule.endAt ? ` until ${when(schedule.endAt)}` : ''},{' '}
              {schedule.enabled ? 'enabled' : 'disabled'}; missed ticks: {schedule.missed}; a tick
              while a run goes: {schedule.overlap}
            </Typography>
            {schedule.nextTimes.length ? <NextTimes times={schedule.nextTimes} /> : null}
          </Stack>
        ) : (
          <Typography>No schedule: launched by hand only.</Typography>
        )}
      </CardContent>
    </Card>
  );
}
