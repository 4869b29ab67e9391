import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { brandReply, dashboardQuery, dashboardReply } from '@minke/contract';
import { agentsOnlineOverTime } from '../facts/presence-over-time.js';
import { RunStats } from '../runs/run-stats.js';
import type { ApiRoutes } from './api-context.js';
import { mayViewHosts } from './host-name-visibility.js';
import { principalOf } from './request-auth.js';

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

/** The project's name for page titles: its package.json `name`, else its folder's name. */
export function projectName(projectDir: string): string {
  try {
    const pkg = JSON.parse(readFileSync(join(projectDir, 'package.json'), 'utf8')) as unknown;
    const name = (pkg as { name?: unknown } | null)?.name;
    if (typeof name === 'string' && name.trim() !== '') return name.trim();
  } catch {
    // no package.json, or not JSON: the folder names the project
  }
  return basename(projectDir);
}

/**
 * The dashboard's figures, read-only: sessions per day by outcome, the hosts that failed most this
 * week, agents online every hour of the week (and heard from per day), the slowest sessions. The caller's own sessions unless
 * superuser (as the history); hosts and agents only with `view_host`. And the project's name for
 * page titles, public.
 */
export const dashboardRoutes: ApiRoutes = (app, { project }) => {
  const stats = new RunStats(project.database);
  const brand = { project: projectName(project.config.projectDir) };

  app.get(
    '/brand',
    {
      config: { public: true },
      schema: {
        tags: ['dashboard'],
        summary: 'The name the web admin titles its pages with (public: the login page shows it)',
        response: { 200: brandReply },
      },
    },
    () => brand,
  );

  app.get(
    '/dashboard',
    {
      schema: {
        tags: ['dashboard'],
        summary: "The dashboard's figures (the caller's own sessions unless superuser)",
        querystring: dashboardQuery,
        response: { 200: dashboardReply },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const scope = { userId: principal.access.isSuperuser ? undefined : principal.user.id };
      const days = request.query.days ?? 14;
      const now = new Date();
      const weekSince = new Date(now.getTime() - 7 * DAY_MS);
      const hosts = mayViewHosts(principal.access);
      const week = { since: weekSince, until: now, stepMs: HOUR_MS };
      const [sessionsPerDay, failingHosts, slowestSessions, agentsNow, agentsPerDay, overTime] =
        await Promise.all([
          stats.sessionsPerDay(scope, days, now),
          hosts ? stats.failingHosts(scope, weekSince) : null,
          stats.slowestSessions(scope, weekSince),
          hosts ? stats.agentsNow() : null,
          hosts ? stats.agentsPerDay(days, now) : null,
          hosts ? agentsOnlineOverTime(project.database, week) : null,
        ]);
      return {
        weekSince: weekSince.toISOString(),
        sessionsPerDay,
        failingHosts,
        agents:
          agentsNow && agentsPerDay && overTime
            ? { ...agentsNow, perDay: agentsPerDay, overTime }
            : null,
        slowestSessions,
      };
    },
  );
};
