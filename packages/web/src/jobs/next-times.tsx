import { Box, Typography } from '@mui/material';
import { when } from './job-text.js';

/**
 * The next times a schedule fires, as the server computed them: on the job's page and under the
 * editor's schedule fields, which say so when the schedule is disabled (`heading`).
 */
export function NextTimes({
  times,
  heading = 'Next times',
}: {
  times: readonly string[];
  heading?: string;
}) {
  return (
    <Box data-testid="next-times">
      <Typography variant="subtitle2">{heading}</Typography>
      {times.map((time) => (
        <Typography key={time} variant="body2" data-time={time}>
          {when(time)}
        </Typography>
      ))}
    </Box>
  );
}
