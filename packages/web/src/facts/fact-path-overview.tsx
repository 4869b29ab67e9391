import { useState } from 'react';
import { Box, Chip, Typography } from '@mui/material';
import { FactChangesList } from './fact-changes-list.js';
import { FactDistributionChart } from './fact-distribution-chart.js';
import { splitFactPath } from './fact-path.js';

/**
 * Under the fact search's results: for a fact path the expression names, how the whole fleet's
 * current values spread (bars that open the search for each value) and the hosts that changed
 * it lately. An expression naming several paths gets a chip per path to switch between them.
 */
export function FactPathOverview({ paths }: { paths: readonly string[] }) {
  const usable = paths.filter((path) => splitFactPath(path) !== undefined);
  const [chosen, setChosen] = useState<string>();
  const factPath = chosen !== undefined && usable.includes(chosen) ? chosen : usable[0];
  const split = factPath === undefined ? undefined : splitFactPath(factPath);
  if (factPath === undefined || split === undefined) return null;
  return (
    <Box data-testid="fact-path-overview" sx={{ mt: 3 }}>
      <Box sx={{ display: 'flex', gap: 1, alignItems: 'center', flexWrap: 'wrap', mb: 1 }}>
        <Typography variant="h6" component="h2">
          {factPath} across the fleet
        </Typography>
        {usable.length > 1
          ? usable.map((path) => (
              <Chip
                key={path}
                size="small"
                label={path}
                color={path === factPath ? 'primary' : 'default'}
                onClick={() => setChosen(path)}
              />
            ))
          : null}
      </Box>
      <Box sx={{ display: 'grid', gridTemplateColumns: { xs: '1fr', md: '1fr 1fr' }, gap: 3 }}>
        <FactDistributionChart factPath={factPath} {...split} />
        <FactChangesList factPath={factPath} {...split} />
      </Box>
    </Box>
  );
}
