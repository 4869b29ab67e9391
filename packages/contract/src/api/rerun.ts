import { z } from 'zod';

/**
 * Runs a finished (or running) run's session again on the same objects, with the same form
 * data. Secrets were never stored with the run, so they come again in `data`; anything in
 * `data` overrides the stored value.
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
  })
  .strict();
export type RerunBody = z.infer<typeof rerunBody>;
