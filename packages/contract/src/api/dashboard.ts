import { z } from 'zod';

/**
 * What a finished session counts as on the dashboard. A stopped or canceled session is `stopped`,
 * never `error`: a person chose to end it, it did not fail.
 */
export const DASHBOARD_OUTCOMES = ['success', 'warning', 'error', 'stopped', 'unfinished'] as const;
export type DashboardOutcome = (typeof DASHBOARD_OUTCOMES)[number];

export const dashboardQuery = z
  .object({
    days: z.coerce
      .number()
      .int()
      .min(1)
      .max(90)
      .optional()
      .describe('how many days the per-day series cover, today included (default 14)'),
  })
  .strict();
export type DashboardQuery = z.infer<typeof dashboardQuery>;

/** One UTC day's sessions, counted by outcome. */
export const outcomeDay = z.object({
  /** YYYY-MM-DD (UTC) */
  day: z.string(),
  /** the day's first instant and the next day's, for links to the history */
  since: z.string(),
  until: z.string(),
  success: z.number(),
  warning: z.number(),
  error: z.number(),
  stopped: z.number(),
  unfinished: z.number(),
});
export type OutcomeDay = z.infer<typeof outcomeDay>;

export const failingHost = z.object({
  hostName: z.string(),
  failures: z.number().describe('sessions on the host that ended in error this week'),
  lastFailureAt: z.string(),
});
export type FailingHost = z.infer<typeof failingHost>;

export const agentDay = z.object({
  day: z.string(),
  nodes: z.number().describe('agents heard from that day (answered a request or sent a result)'),
});
export type AgentDay = z.infer<typeof agentDay>;

export const agentsOnlineAt = z.object({
  at: z.string(),
  online: z.number().describe('agents online at that instant (from the presence history)'),
});
export type AgentsOnlineAt = z.infer<typeof agentsOnlineAt>;

export const slowSession = z.object({
  session: z.string(),
  verboseName: z.string(),
  runs: z.number().describe('finished sessions this week'),
  averageMs: z.number(),
  slowestMs: z.number(),
  /** the slowest one, to open */
  slowestRecordId: z.number(),
});
export type SlowSession = z.infer<typeof slowSession>;

/**
 * `GET /api/dashboard`: what the dashboard draws, scoped to the caller (their own sessions unless
 * superuser; hosts and agents only with `view_host`). Per-day series are in UTC days.
 */
export const dashboardReply = z.object({
  /** the start of the week the "this week" lists cover (7 days back from now) */
  weekSince: z.string(),
  sessionsPerDay: z.array(outcomeDay),
  failingHosts: z.array(failingHost).nullable().describe('null: the caller may not view hosts'),
  agents: z
    .object({
      online: z.number(),
      total: z.number(),
      perDay: z.array(agentDay),
      /** agents online every hour of the last 7 days, oldest first, now last */
      overTime: z.array(agentsOnlineAt),
    })
    .nullable()
    .describe('null: the caller may not view hosts'),
  slowestSessions: z.array(slowSession),
});
export type DashboardReply = z.infer<typeof dashboardReply>;

/** `GET /api/brand` (public: the login page shows it): the name the pages are titled with. */
export const brandReply = z.object({
  project: z.string().describe("the project's package name, or its folder's name"),
});
export type BrandReply = z.infer<typeof brandReply>;
