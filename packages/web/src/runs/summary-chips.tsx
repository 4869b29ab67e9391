import { Chip, Stack } from '@mui/material';
import type { RunSummary } from '@minke/contract';
import { RESULT_COLORS } from './status-chip.js';

/** "3/4 done" and the counts by outcome ("2 stopped": stopped or canceled, grey, apart from errors). */
export function SummaryChips({ summary }: { summary: RunSummary | undefined }) {
  if (!summary) return null;
  const counts = [
    ['success', summary.success],
    ['warning', summary.warning],
    ['error', summary.error],
    ['stopped', summary.stopped],
  ] as const;
  return (
    <Stack direction="row" spacing={0.5} sx={{ flexWrap: 'wrap', rowGap: 0.5 }}>
      <Chip size="small" variant="outlined" label={`${summary.done}/${summary.all} done`} />
      {counts.map(([kind, n]) =>
        n ? (
          <Chip
            key={kind}
            size="small"
            label={`${n} ${kind}`}
            data-count={kind}
            sx={{ bgcolor: RESULT_COLORS[kind], color: '#111' }}
          />
        ) : null,
      )}
    </Stack>
  );
}
