import { z } from 'zod';
import { runTimeLimit } from './runs.js';

/**
 * Runs a finished (or running) run's session again on the same objects, with the same form
 * data and time limit. Secrets and run-time connection values were never stored with the run,
 * so they come again in `data` and `connection`; anything in `data` overrides the stored value.
 */
export const rerunBody = z
  .object({
    failedOnly: z
      .boolean()
      .optional()
      .describe('only the objects whose session did not complete without error'),
    data: z
      .record(z.string(), z.unknown())
      .optional()
      .describe('form values given again (secret fields, which a run never stores)'),
    connection: z
      .record(z.string(), z.unknown())
      .optional()
      .describe('run-time connection values (the last layer), for this run only; never stored'),
    timeoutMs: runTimeLimit
      .nullable()
      .optional()
      .describe(
        "a time limit per object, in ms, instead of the run's (null: none; left out: the run's)",
      ),
    runTimeoutMs: runTimeLimit
      .nullable()
      .optional()
      .describe(
        "a time limit for the whole new run, in ms, instead of the run's (null: none; left out: the run's)",
      ),
  })
  .strict();
export type RerunBody = z.infer<typeof rerunBody>;
