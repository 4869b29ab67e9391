import { Alert, Box, Chip, LinearProgress, Typography } from '@mui/material';
import { BarChart } from '@mui/x-charts/BarChart';
import type { FactDistribution } from '@minke/contract';
import { Link, useNavigate } from 'react-router-dom';
import { shorten } from '../data/value-text.js';
import { useApiQuery } from './use-api-query.js';
import type { FactPathProps } from './fact-path.js';

/** The fact search that finds the hosts holding `value` at `factPath` (`facts.os.release`). */
export function searchFor(factPath: string, value: string): string {
  const quoted = `"${value.replace(/["\\]/g, (c) => `\\${c}`)}"`;
  return `/fact-search?where=${encodeURIComponent(`${factPath} = ${quoted}`)}`;
}

/** Long values (kernel builds, JSON) shortened for an axis; the whole one is in the tooltip. */
const short = (value: string) => shorten(value, 28);

/**
 * How the fleet's current values of a fact path spread: a bar per value (the commonest ten),
 * "other" for the rest. A bar, or its chip below, opens the search for the hosts holding it.
 */
export function FactDistributionChart({ factPath, plugin, path }: FactPathProps) {
  const navigate = useNavigate();
  const reply = useApiQuery<FactDistribution>('/api/facts/distribution', { plugin, path });
  if (reply.error) return <Alert severity="error">{reply.error}</Alert>;
  if (!reply.data) return <LinearProgress />;
  const { values, other, missing, total } = reply.data;
  if (values.length === 0) {
    return (
      <Typography variant="body2" color="text.secondary">
        No host has a value at {factPath}.
      </Typography>
    );
  }
  const rows = [
    ...values.map((v) => ({ label: short(v.value), value: v.value, hosts: v.hosts })),
    ...(other.hosts > 0
      ? [{ label: `other (${other.values})`, value: null, hosts: other.hosts }]
      : []),
  ];
  return (
    <Box data-testid="fact-distribution" data-path={factPath} data-bars={rows.length}>
      <BarChart
        height={Math.max(160, 40 + rows.length * 32)}
        layout="horizontal"
        dataset={rows}
        yAxis={[{ scaleType: 'band', dataKey: 'label', width: 'auto' }]}
        xAxis={[{ label: 'hosts', tickMinStep: 1 }]}
        series={[
          {
            dataKey: 'hosts',
            label: `hosts by ${factPath}`,
            valueFormatter: (hosts) => `${hosts ?? 0} of ${total}`,
          },
        ]}
        onItemClick={(_event, item) => {
          const value = rows[item.dataIndex]?.value;
          if (value !== undefined && value !== null) void navigate(searchFor(factPath, value));
        }}
        margin={{ right: 16 }}
      />
      <Box sx={{ display: 'flex', gap: 1, flexWrap: 'wrap', mt: 1, alignItems: 'center' }}>
        {values.map((v) => (
          <Chip
            key={v.value}
            size="small"
            clickable
            component={Link}
            to={searchFor(factPath, v.value)}
            label={`${short(v.value)} · ${v.hosts}`}
            title={v.value}
            data-value={v.value}
          />
        ))}
        {missing > 0 ? (
          <Typography variant="caption" color="text.secondary">
            {missing} of {total} hosts report {plugin} without it
          </Typography>
        ) : null}
      </Box>
    </Box>
  );
}
