import { LineChart } from '@mui/x-charts/LineChart';
import { Alert, Box, LinearProgress } from '@mui/material';
import type { ComplianceSeries } from '@minke/contract';
import { useApiQuery } from '../facts/use-api-query.js';

/** Passing and failing hosts of a policy at the end of each of the last `days` days, and now. */
export function ComplianceChart({ policy, days = 30 }: { policy: string; days?: number }) {
  const series = useApiQuery<ComplianceSeries>(
    `/api/policies/${encodeURIComponent(policy)}/compliance`,
    { days },
  );
  if (series.error) return <Alert severity="error">{series.error}</Alert>;
  if (!series.data) return <LinearProgress />;
  const points = series.data.points;
  return (
    <Box data-testid="compliance-chart" data-points={points.length}>
      <LineChart
        height={220}
        dataset={points.map((point, index) => ({
          label: index === points.length - 1 ? 'now' : point.at.slice(5, 10),
          passing: point.passing,
          failing: point.failing,
        }))}
        xAxis={[{ scaleType: 'point', dataKey: 'label' }]}
        series={[
          { dataKey: 'passing', label: 'passing', color: '#2e7d32', area: true, stack: 'hosts' },
          { dataKey: 'failing', label: 'failing', color: '#c62828', area: true, stack: 'hosts' },
        ]}
        margin={{ left: 0, right: 8 }}
      />
    </Box>
  );
}
