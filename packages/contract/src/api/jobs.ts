import { z } from 'zod';
import { notificationRule } from './notifications.js';
import { batchPolicy } from './rollout.js';
import { runTimeLimit } from './runs.js';

/**
 * Saved jobs and their schedules: a session, a model, a selection kept as a query (evaluated at
 * each launch), form data whose secret fields are never stored in clear, a batch policy and
 * notification rules (data that the run's executor and the notifier read), and an optional cron
 * schedule.
 */

/** A job's name: what `minke jobs run NAME` spells. */
export const jobName = z
  .string()
  .regex(
    /^[a-z0-9][a-z0-9._-]{0,62}$/,
    'a job name: lower-case letters, digits, ".", "_" and "-", at most 63',
  );

/** Which objects a launch runs on, evaluated at each launch. */
export const jobSelection = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('where'), where: z.string().min(1) }).strict(),
  z
    .object({
      kind: z.literal('ids'),
      ids: z.array(z.union([z.number().int().positive(), z.string().min(1)])).min(1),
    })
    .strict(),
  z.object({ kind: z.literal('all') }).strict(),
]);
export type JobSelection = z.infer<typeof jobSelection>;

/**
 * Where a secret form field's value comes from: a password credential of the credentials store,
 * read at each launch, or asked for at launch (not possible for a scheduled launch).
 */
export const jobSecretSource = z.union([
  z.object({ credential: z.string().min(1) }).strict(),
  z.literal('ask'),
]);
export type JobSecretSource = z.infer<typeof jobSecretSource>;

/** The batch policy a launch runs with (rolling batches and a failure budget): the run API's. */
export const jobBatchPolicy = batchPolicy;

/** Notification rules of a job: the same shape as the project's global rules. */
export const jobNotifyRules = z.array(notificationRule);

export const MISSED_TICK_POLICIES = ['skip', 'run-once'] as const;
export const OVERLAP_POLICIES = ['skip', 'queue'] as const;

export const jobScheduleInput = z
  .object({
    cron: z
      .string()
      .min(1)
      .describe('a cron expression: 5 fields, or 6 with seconds first ("0 30 2 * * *")'),
    timezone: z.string().min(1).optional().describe('an IANA time zone (default UTC)'),
    endAt: z.string().nullable().optional().describe('no tick after this time (ISO 8601)'),
    enabled: z.boolean().optional().describe('default true'),
    missed: z
      .enum(MISSED_TICK_POLICIES)
      .optional()
      .describe('ticks missed while Minke was down: skip them (default) or run once'),
    overlap: z
      .enum(OVERLAP_POLICIES)
      .optional()
      .describe('a tick while the previous run still goes: skip it (default) or queue it'),
  })
  .strict();
export type JobScheduleInput = z.infer<typeof jobScheduleInput>;

export const jobSchedule = z.object({
  cron: z.string(),
  timezone: z.string(),
  endAt: z.string().nullable(),
  enabled: z.boolean(),
  missed: z.enum(MISSED_TICK_POLICIES),
  overlap: z.enum(OVERLAP_POLICIES),
  lastTickAt: z.string().nullable(),
  /** The next (at most five) times it fires; empty when disabled or past its end. */
  nextTimes: z.array(z.string()),
});
export type JobSchedule = z.infer<typeof jobSchedule>;

export const newJobBody = z
  .object({
    name: jobName,
    description: z.string().optional(),
    session: z.string().min(1),
    model: z.string().optional().describe('needed when the session works on several models'),
    selection: jobSelection,
    data: z
      .record(z.string(), z.unknown())
      .optional()
      .describe("the session's form values, secret fields left out"),
    secrets: z
      .record(z.string(), jobSecretSource)
      .optional()
      .describe('secret form fields: { credential: NAME } or "ask"'),
    batch: jobBatchPolicy.nullable().optional(),
    timeoutMs: runTimeLimit
      .nullable()
      .optional()
      .describe("its launches' time limit per object, in ms (null: none)"),
    runTimeoutMs: runTimeLimit
      .nullable()
      .optional()
      .describe("each launch's time limit as a whole, in ms (null: none)"),
    notify: jobNotifyRules.optional(),
    schedule: jobScheduleInput.nullable().optional(),
  })
  .strict();
export type NewJobBody = z.infer<typeof newJobBody>;

/** A change: the fields given replace the job's; `schedule: null` removes the schedule. */
export const jobChangeBody = newJobBody.omit({ name: true }).partial().strict();
export type JobChangeBody = z.infer<typeof jobChangeBody>;

export const jobItem = z.object({
  id: z.number(),
  name: z.string(),
  description: z.string(),
  session: z.string(),
  model: z.string(),
  selection: jobSelection,
  data: z.record(z.string(), z.unknown()),
  secrets: z.record(z.string(), jobSecretSource),
  batch: jobBatchPolicy.nullable(),
  /** Its launches' time limit per object, in ms (null: none). */
  timeoutMs: z.number().nullable(),
  /** Each launch's time limit as a whole, in ms (null: none). */
  runTimeoutMs: z.number().nullable(),
  notify: jobNotifyRules,
  schedule: jobSchedule.nullable(),
  ownerId: z.number().nullable(),
  createdAt: z.string(),
  createdBy: z.string().nullable(),
  updatedAt: z.string(),
  updatedBy: z.string().nullable(),
});
export type JobItem = z.infer<typeof jobItem>;

export const TICK_OUTCOMES = ['launched', 'skipped', 'queued', 'missed', 'failed'] as const;

/** What one schedule tick did: a run launched, or why not. */
export const jobTick = z.object({
  id: z.number(),
  jobId: z.number(),
  tickAt: z.string(),
  outcome: z.enum(TICK_OUTCOMES),
  runId: z.number().nullable(),
  note: z.string(),
  createdAt: z.string(),
});
export type JobTick = z.infer<typeof jobTick>;

export const jobDetail = jobItem.extend({ ticks: z.array(jobTick) });
export type JobDetail = z.infer<typeof jobDetail>;

export const jobLaunchBody = z
  .object({
    data: z
      .record(z.string(), z.unknown())
      .optional()
      .describe('values of the secret fields the job asks for at launch'),
  })
  .strict();
export type JobLaunchBody = z.infer<typeof jobLaunchBody>;

export const jobLaunched = z.object({
  runId: z.number(),
  jobId: z.number(),
  session: z.string(),
  model: z.string(),
  objects: z.number(),
});
export type JobLaunched = z.infer<typeof jobLaunched>;

export const schedulePreviewBody = z
  .object({
    cron: z.string().min(1),
    timezone: z.string().min(1).optional(),
    endAt: z.string().nullable().optional(),
  })
  .strict();

export const schedulePreview = z.object({ nextTimes: z.array(z.string()) });

export const upcomingQuery = z.object({
  hours: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 31)
    .optional()
    .describe('how far ahead (default 24)'),
});

/** One coming tick of a schedule ("what runs tonight"). */
export const upcomingTick = z.object({
  jobId: z.number(),
  job: z.string(),
  session: z.string(),
  at: z.string(),
});
export const upcomingTicks = z.object({ items: z.array(upcomingTick), truncated: z.boolean() });
export type UpcomingTicks = z.infer<typeof upcomingTicks>;
