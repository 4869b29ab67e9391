import { useState } from 'react';
import {
  Box,
  MenuItem,
  TextField,
  ToggleButton,
  ToggleButtonGroup,
  Typography,
} from '@mui/material';
import { FactSeriesChart } from './fact-series-chart.js';
import { numericPaths } from './numeric-paths.js';

const PERIODS = [1, 7, 30, 90] as const;

/**
 * The chart view of a plugin's fact on a host: pick one of the numeric paths of its current
 * value and a period; the line comes from the fact history.
 */
export function FactChartPanel({
  host,
  plugin,
  value,
}: {
  host: string;
  plugin: string;
  value: unknown;
}) {
  const paths = numericPaths(value);
  const [path, setPath] = useState(paths[0]);
  const [days, setDays] = useState<number>(30);
  if (path === undefined) {
    return (
      <Typography variant="body2" color="text.secondary">
        No numbers in this fact to chart.
      </Typography>
    );
  }
  return (
    <Box data-testid="fact-chart-panel">
      <Box sx={{ display: 'flex', gap: 2, alignItems: 'center', flexWrap: 'wrap', mb: 1 }}>
        <TextField
          select
          size="small"
          label="Path"
          fullWidth={false}
          value={path}
          onChange={(event) => setPath(event.target.value)}
          sx={{ minWidth: 220 }}
          slotProps={{ select: { SelectDisplayProps: { 'data-testid': 'chart-path' } as object } }}
        >
          {paths.map((option) => (
            <MenuItem key={option} value={option} data-path={option}>
              <code>{option || '(the value)'}</code>
            </MenuItem>
          ))}
        </TextField>
        <ToggleButtonGroup
          size="small"
          exclusive
          value={days}
          onChange={(_event, next: number | null) => next !== null && setDays(next)}
          aria-label="period"
        >
          {PERIODS.map((period) => (
            <ToggleButton key={period} value={period} data-days={period}>
              {period === 1 ? '24 h' : `${period} d`}
            </ToggleButton>
          ))}
        </ToggleButtonGroup>
      </Box>
      <FactSeriesChart host={host} plugin={plugin} path={path} days={days} />
    </Box>
  );
}
