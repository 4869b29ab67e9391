import { z } from 'zod';

/**
 * A number of objects: a count (`5`) or a share of the run's objects (`"25%"`, rounded up for a
 * batch, down for a failure budget, as Ansible's `serial` and `max_fail_percentage` do).
 */
export const countOrPercent = z.union([
  z.number().int().min(0),
  z
    .string()
    .regex(/^\d{1,3}(\.\d+)?%$/, 'a count, or a percentage such as "25%"')
    .refine((text) => Number.parseFloat(text) <= 100, 'a percentage is at most 100%'),
]);
export type CountOrPercent = z.infer<typeof countOrPercent>;

/**
 * How a run rolls out: its objects in batches of `size`, the next batch only once the last is
 * done (after `pauseSeconds`), and no new batch once more than `maxFail` objects failed (a
 * session ending in error or failed). The objects never started are then canceled with the
 * reason "failure budget exceeded after N of M".
 *
 * @example { size: '25%', maxFail: '10%', pauseSeconds: 30 }
 */
export const batchPolicy = z
  .object({
    size: countOrPercent.describe('objects per batch: a count, or a percentage of the run ("25%")'),
    pauseSeconds: z
      .number()
      .int()
      .min(0)
      .max(86_400)
      .optional()
      .describe('seconds to wait between batches'),
    maxFail: countOrPercent
      .optional()
      .describe('failures allowed before no new batch starts: a count, or a percentage of the run'),
  })
  .strict();
export type BatchPolicy = z.infer<typeof batchPolicy>;

export const ROLLOUT_STATES = ['running', 'pausing', 'finished', 'budget-exceeded'] as const;
export const rolloutState = z.enum(ROLLOUT_STATES);
export type RolloutState = z.infer<typeof rolloutState>;

export const BATCH_STATES = ['waiting', 'running', 'done', 'canceled'] as const;
export const batchState = z.enum(BATCH_STATES);
export type BatchState = z.infer<typeof batchState>;

/** One batch of a rolling run: its session records and how they stand. */
export const rolloutBatch = z.object({
  /** 1-based. */
  number: z.number(),
  state: batchState,
  recordIds: z.array(z.number()),
  /** Sessions done (any end state). */
  done: z.number(),
  /** Sessions that ended in error or failed. */
  failed: z.number(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
});
export type RolloutBatch = z.infer<typeof rolloutBatch>;

/** `GET /api/runs/:id/rollout`: a rolling run's batches; `rollout` is null for other runs. */
export const runRollout = z.object({
  rollout: z
    .object({
      runId: z.number(),
      policy: batchPolicy,
      state: rolloutState,
      /** Objects in the run. */
      total: z.number(),
      batchSize: z.number(),
      /** Failures allowed (null: no budget). */
      allowedFailures: z.number().nullable(),
      failed: z.number(),
      /** Why no new batch starts, when the budget was spent. */
      reason: z.string().nullable(),
      batches: z.array(rolloutBatch),
    })
    .nullable(),
});
export type RunRollout = z.infer<typeof runRollout>;
