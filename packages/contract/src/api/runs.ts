import { z } from 'zod';
import { runSummary } from '../run-summary.js';
import { OUTCOME_FILTERS, type OutcomeFilter } from '../session-outcome.js';
import { stopOutcome } from '../states.js';
import { MAX_TIME_LIMIT_MS } from '../time-limit.js';
import { pageOf, paging, selection } from './common.js';
import { batchPolicy } from './rollout.js';
import { sessionRecordItem } from './session-records.js';

/** A run's time limit per object, in milliseconds: what a timer can wait (see time-limit.ts). */
export const runTimeLimit = z.number().int().min(1).max(MAX_TIME_LIMIT_MS);

export const startRunBody = z
  .object({
    session: z.string().min(1).describe('the session (class) name'),
    model: z.string().optional().describe('needed when the session works on several models'),
    ...selection,
    offset: z
      .number()
      .int()
      .min(0)
      .optional()
      .describe('a page of the selection, in id order: skip this many'),
    limit: z
      .number()
      .int()
      .min(1)
      .optional()
      .describe('a page of the selection, in id order: at most this many'),
    data: z.record(z.string(), z.unknown()).optional().describe("the session's form values"),
    connection: z
      .record(z.string(), z.unknown())
      .optional()
      .describe('run-time connection values (the last layer), for this run only; never stored'),
    batch: batchPolicy
      .optional()
      .describe('roll out in batches, with an optional pause and failure budget'),
    timeoutMs: runTimeLimit
      .optional()
      .describe(
        "a time limit per object, in ms: past it a session is stopped, its command killed, and it fails (with the session's own limit, the shorter counts)",
      ),
    runTimeoutMs: runTimeLimit
      .optional()
      .describe(
        'a time limit for the whole run, in ms from its start: when it ends, sessions not started are canceled and running ones stopped, their commands killed (they fail)',
      ),
  })
  .strict()
  .describe('exactly one of ids, where, all');
export type StartRunBody = z.infer<typeof startRunBody>;

export const startedRun = z.object({
  id: z.number(),
  session: z.string(),
  model: z.string(),
  records: z.array(
    z.object({
      recordId: z.number(),
      objectId: z.number(),
      objectLabel: z.string(),
      hostName: z.string().nullable(),
      /** Why it was canceled at once (a disabled host, say). */
      canceled: z.string().optional(),
    }),
  ),
});
export type StartedRun = z.infer<typeof startedRun>;

/** A run as lists show it: what ran, for whom, and how its session records stand. */
export const runItem = z.object({
  id: z.number(),
  session: z.string(),
  model: z.string(),
  userId: z.number().nullable(),
  username: z.string().nullable(),
  /** running | finished */
  state: z.string(),
  createdAt: z.string(),
  finishedAt: z.string().nullable(),
  summary: runSummary,
  /** The saved job it was launched from (null: an ad-hoc run; always sent by the server). */
  jobId: z.number().nullable().optional(),
  /** The time limit per object it was started with, in ms (null: none; always sent by the server). */
  timeoutMs: z.number().nullable().optional(),
  /** The time limit of the whole run it was started with, in ms (null: none; always sent). */
  runTimeoutMs: z.number().nullable().optional(),
  /**
   * Started with values never stored (secret form fields, run-time connection values such as a
   * sudo password): a re-run asks for them again. Always sent by the server.
   */
  hasSecretValues: z.boolean().optional(),
});
export type RunItem = z.infer<typeof runItem>;

export const runPage = pageOf(runItem);

export const runDetail = runItem.extend({
  /** The form data it ran with (secrets left out when it was stored). */
  data: z.unknown(),
  /** One session record per object, oldest first. */
  sessions: z.array(sessionRecordItem),
});
export type RunDetail = z.infer<typeof runDetail>;

/** The counts of a run page's filter by outcome (see `SESSION_OUTCOMES`). */
export const outcomeCountsReply = z.object(
  Object.fromEntries(OUTCOME_FILTERS.map((filter) => [filter, z.number()])) as Record<
    OutcomeFilter,
    z.ZodNumber
  >,
);

export const runSessionsQuery = z.object({
  show: z
    .enum(OUTCOME_FILTERS)
    .default('all')
    .describe('only the sessions of this outcome (pending: waiting or running)'),
  ...paging,
});

/**
 * A page of a run's sessions, oldest first, with the run itself and the counts of each outcome:
 * what the run's page polls while the run goes (a run on 10,000 hosts is not sent whole). An
 * offset past the last page gives the last page.
 */
export const runSessionsPage = pageOf(sessionRecordItem).extend({
  run: runItem,
  counts: outcomeCountsReply,
  /** Sessions "Re-run failed only" would run again. */
  failed: z.number(),
});
export type RunSessionsPage = z.infer<typeof runSessionsPage>;

export const runListQuery = z.object({
  session: z.string().optional(),
  job: z.coerce.number().int().positive().optional().describe("only this job's runs"),
  ...paging,
});

export const runStopReply = z.object({
  outcomes: z.array(z.object({ recordId: z.number(), outcome: stopOutcome })),
});
export type RunStopReply = z.infer<typeof runStopReply>;
