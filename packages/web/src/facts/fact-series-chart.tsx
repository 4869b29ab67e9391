import { useMemo } from 'react';
import { Alert, Box, LinearProgress, Typography } from '@mui/material';
import { LineChart } from '@mui/x-charts/LineChart';
import type { FactSeries } from '@minke/contract';
import { useApiQuery } from './use-api-query.js';

const DAY_MS = 24 * 60 * 60 * 1000;

/** Time ticks as fine as the drawn span needs: seconds, minutes, or days. */
function timeFormatter(spanMs: number) {
  if (spanMs <= 2 * 60 * 60 * 1000)
    return (value: Date) =>
      value.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' });
  if (spanMs <= 2 * DAY_MS)
    return (value: Date) => value.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  return (value: Date) => value.toLocaleDateString([], { month: 'short', day: 'numeric' });
}

/**
 * A numeric fact path of one host over the last `days` days, from the fact history. The
 * history holds a row per change, so the line is drawn in steps and carried on to now.
 */
export function FactSeriesChart({
  host,
  plugin,
  path,
  days,
}: {
  host: string;
  plugin: string;
  path: string;
  days: number;
}) {
  // fixed per choice of period, so that a re-render does not ask again
  const since = useMemo(() => new Date(Date.now() - days * DAY_MS).toISOString(), [days]);
  const series = useApiQuery<FactSeries>('/api/facts/series', { plugin, path, host, since });
  if (series.error) return <Alert severity="error">{series.error}</Alert>;
  if (!series.data) return <LinearProgress />;
  const { skipped, message, until } = series.data;
  const points = series.data.hosts[0]?.points ?? [];
  const last = points.at(-1);
  const dataset = [
    ...points.map((point) => ({ at: new Date(point.at), value: point.value })),
    ...(last ? [{ at: new Date(until), value: last.value }] : []),
  ];
  return (
    <Box
      data-testid="fact-series-chart"
      data-path={path}
      data-points={points.length}
      data-skipped={skipped}
    >
      {points.length === 0 ? (
        <Typography variant="body2" color="text.secondary" sx={{ my: 2 }}>
          No numbers at {path || 'the value'} in the last {days} days.
        </Typography>
      ) : (
        <LineChart
          height={260}
          dataset={dataset}
          xAxis={[
            {
              dataKey: 'at',
              scaleType: 'time',
              label: 'collected',
              valueFormatter: timeFormatter(Date.parse(until) - Date.parse(points[0]?.at ?? until)),
            },
          ]}
          yAxis={[{ label: path || plugin, width: 'auto' }]}
          series={[
            {
              dataKey: 'value',
              label: `${plugin}${path ? ` ${path}` : ''} on ${host}`,
              curve: 'stepAfter',
              showMark: ({ index }) => index < points.length,
            },
          ]}
          margin={{ right: 16 }}
        />
      )}
      {skipped > 0 ? (
        <Typography variant="caption" color="text.secondary" data-testid="series-skipped">
          {skipped} version{skipped === 1 ? '' : 's'} left out: missing or not a number at this
          path.
        </Typography>
      ) : null}
      {message ? (
        <Alert severity="info" sx={{ mt: 1 }}>
          {message}
        </Alert>
      ) : null}
    </Box>
  );
}
