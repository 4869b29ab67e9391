import { Alert, Box, Chip, LinearProgress, Stack, Typography } from '@mui/material';
import { useEffect } from 'react';
import type { RolloutBatch, RunRollout } from '@minke/contract';
import { useApiQuery } from '../facts/use-api-query.js';

const BATCH_COLORS: Record<RolloutBatch['state'], 'default' | 'info' | 'success' | 'warning'> = {
  waiting: 'default',
  running: 'info',
  done: 'success',
  canceled: 'warning',
};

/** Policy in words: "batches of 5 (25%), 2 failures allowed (10%), 30 s between batches". */
function policyText(rollout: NonNullable<RunRollout['rollout']>): string {
  const { policy, batchSize, allowedFailures } = rollout;
  const size = typeof policy.size === 'string' ? ` (${policy.size})` : '';
  const budget =
    allowedFailures === null
      ? 'no failure budget'
      : `${allowedFailures} failure${allowedFailures === 1 ? '' : 's'} allowed${typeof policy.maxFail === 'string' ? ` (${policy.maxFail})` : ''}`;
  const pause = policy.pauseSeconds ? `, ${policy.pauseSeconds} s between batches` : '';
  return `batches of ${batchSize}${size}, ${budget}${pause}`;
}

/**
 * A rolling run's batches as they progress: one chip per batch (waiting, running, done,
 * canceled), with done/total and failures, and why no new batch starts when the budget is spent.
 * Renders nothing for a run without a batch policy. Re-reads every 2 s until the run finishes.
 */
export function BatchProgress({ runId, finished }: { runId: number; finished: boolean }) {
  const query = useApiQuery<RunRollout>(`/api/runs/${runId}/rollout`);
  const { reload } = query;
  useEffect(() => {
    if (finished) {
      reload(); // the last state, once
      return;
    }
    const timer = setInterval(reload, 2000);
    return () => clearInterval(timer);
  }, [finished, reload]);
  const rollout = query.data?.rollout;
  if (query.error) return <Alert severity="warning">Batches: {query.error}</Alert>;
  if (!rollout) return null;
  const done = rollout.batches.reduce((n, batch) => n + batch.done, 0);
  return (
    <Box sx={{ mb: 2 }} data-testid="batch-progress" data-state={rollout.state}>
      <Typography variant="subtitle2">
        Rolling run: {policyText(rollout)} · {rollout.failed} failed
      </Typography>
      <LinearProgress
        variant="determinate"
        value={rollout.total === 0 ? 100 : (100 * done) / rollout.total}
        sx={{ my: 1 }}
      />
      <Stack direction="row" spacing={1} sx={{ flexWrap: 'wrap', rowGap: 1 }}>
        {rollout.batches.map((batch) => (
          <Chip
            key={batch.number}
            data-testid={`batch-${batch.number}`}
            data-state={batch.state}
            color={BATCH_COLORS[batch.state]}
            variant={batch.state === 'waiting' ? 'outlined' : 'filled'}
            label={`Batch ${batch.number}: ${batch.state} ${batch.done}/${batch.recordIds.length}${batch.failed > 0 ? `, ${batch.failed} failed` : ''}`}
          />
        ))}
      </Stack>
      {rollout.reason ? (
        <Alert severity="warning" sx={{ mt: 1 }} data-testid="budget-reason">
          No new batch: {rollout.reason}
        </Alert>
      ) : null}
    </Box>
  );
}
