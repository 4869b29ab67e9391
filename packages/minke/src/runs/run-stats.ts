import type {
  AgentDay,
  DashboardOutcome,
  FailingHost,
  OutcomeDay,
  SlowSession,
} from '@minke/contract';
import type { Database } from '../store/database.js';
import type { ProcessState, SessionResult } from '../session/status.js';

const DAY_MS = 86_400_000;

/** Whose sessions the figures count: one user's, or everyone's (superusers). */
export interface StatsScope {
  userId?: number | undefined;
}

/**
 * What a session counts as on the dashboard. Stopped and canceled sessions are `stopped` whatever
 * result they carry: a person ended them, they did not fail.
 */
export function outcomeOf(state: ProcessState, result: SessionResult | null): DashboardOutcome {
  if (state === 'stopped' || state === 'canceled') return 'stopped';
  if (state === 'failed') return 'error';
  if (state !== 'completed') return 'unfinished';
  return result ?? 'success';
}

/** The UTC midnights of the last `days` days, oldest first, and the midnight after today. */
export function utcDays(days: number, now: Date): Date[] {
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  return Array.from({ length: days + 1 }, (_, i) => new Date(today - (days - 1 - i) * DAY_MS));
}

/**
 * Read-only figures for the dashboard, over Minke's typed tables. Every query is plain SQL that
 * SQLite and PostgreSQL answer alike (days are bounded by instants, never by a date function).
 */
export class RunStats {
  constructor(private readonly database: Database) {}

  private get db() {
    return this.database.tables;
  }

  private records(scope: StatsScope, since: Date, until?: Date) {
    let query = this.db
      .selectFrom('minke_session_records')
      .where('created_at', '>=', since.toISOString());
    if (until) query = query.where('created_at', '<', until.toISOString());
    if (scope.userId !== undefined) query = query.where('user_id', '=', scope.userId);
    return query;
  }

  /** Sessions per UTC day by outcome, oldest day first. */
  async sessionsPerDay(scope: StatsScope, days: number, now = new Date()): Promise<OutcomeDay[]> {
    const bounds = utcDays(days, now);
    return await Promise.all(
      bounds.slice(0, -1).map(async (since, i) => {
        const until = bounds[i + 1] ?? now;
        const rows = await this.records(scope, since, until)
          .select(['process_state', 'result'])
          .select((eb) => eb.fn.countAll<number | string>().as('n'))
          .groupBy(['process_state', 'result'])
          .execute();
        const day: OutcomeDay = {
          day: since.toISOString().slice(0, 10),
          since: since.toISOString(),
          until: until.toISOString(),
          success: 0,
          warning: 0,
          error: 0,
          stopped: 0,
          unfinished: 0,
        };
        for (const row of rows) day[outcomeOf(row.process_state, row.result)] += Number(row.n);
        return day;
      }),
    );
  }

  /** The hosts with the most sessions ended in error since `since` (stopped ones do not count). */
  async failingHosts(scope: StatsScope, since: Date, limit = 5): Promise<FailingHost[]> {
    const rows = await this.records(scope, since)
      .where('host_name', 'is not', null)
      .where((eb) =>
        eb.or([
          eb('process_state', '=', 'failed'),
          eb.and([eb('process_state', '=', 'completed'), eb('result', '=', 'error')]),
        ]),
      )
      .select('host_name')
      .select((eb) => [
        eb.fn.countAll<number | string>().as('failures'),
        eb.fn.max('created_at').as('last'),
      ])
      .groupBy('host_name')
      .orderBy('failures', 'desc')
      .orderBy('host_name')
      .limit(limit)
      .execute();
    return rows.map((row) => ({
      hostName: row.host_name ?? '',
      failures: Number(row.failures),
      lastFailureAt: this.database.adapter.decodeDate(row.last),
    }));
  }

  /** The sessions whose slowest finished run since `since` took longest. */
  async slowestSessions(scope: StatsScope, since: Date, limit = 5): Promise<SlowSession[]> {
    const rows = await this.records(scope, since)
      .where('duration_ms', 'is not', null)
      .select(['session'])
      .select((eb) => [
        eb.fn.max('verbose_name').as('verbose_name'),
        eb.fn.countAll<number | string>().as('runs'),
        eb.fn.avg<number | string>('duration_ms').as('average'),
        eb.fn.max('duration_ms').as('slowest'),
      ])
      .groupBy('session')
      .orderBy('slowest', 'desc')
      .orderBy('session')
      .limit(limit)
      .execute();
    return await Promise.all(
      rows.map(async (row) => {
        const slowest = Number(row.slowest);
        const record = await this.records(scope, since)
          .where('session', '=', row.session)
          .where('duration_ms', '=', slowest)
          .select('id')
          .orderBy('id', 'desc')
          .executeTakeFirst();
        return {
          session: row.session,
          verboseName: row.verbose_name || row.session,
          runs: Number(row.runs),
          averageMs: Math.round(Number(row.average)),
          slowestMs: slowest,
          slowestRecordId: record?.id ?? 0,
        };
      }),
    );
  }

  /** Agents online now, of all known. */
  async agentsNow(): Promise<{ online: number; total: number }> {
    const rows = await this.db
      .selectFrom('minke_agents')
      .select('online')
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .groupBy('online')
      .execute();
    const count = (online: boolean) =>
      rows.filter((row) => row.online === online).reduce((sum, row) => sum + Number(row.n), 0);
    return { online: count(true), total: count(true) + count(false) };
  }

  /**
   * Agents heard from per UTC day: nodes that answered a request or sent a changed fact that day.
   * (Agents online over time come from the presence history: facts/presence-over-time.ts.)
   */
  async agentsPerDay(days: number, now = new Date()): Promise<AgentDay[]> {
    const bounds = utcDays(days, now);
    return await Promise.all(
      bounds.slice(0, -1).map(async (since, i) => {
        const until = bounds[i + 1] ?? now;
        const [answered, changed] = await Promise.all([
          this.db
            .selectFrom('minke_agent_request_targets')
            .where('answered_at', '>=', since.toISOString())
            .where('answered_at', '<', until.toISOString())
            .select('node')
            .distinct()
            .execute(),
          this.db
            .selectFrom('minke_fact_history as h')
            .innerJoin('minke_agents as a', 'a.id', 'h.agent_id')
            .where('h.collected_at', '>=', since.toISOString())
            .where('h.collected_at', '<', until.toISOString())
            .select('a.node')
            .distinct()
            .execute(),
        ]);
        const nodes = new Set([...answered, ...changed].map((row) => row.node));
        return { day: since.toISOString().slice(0, 10), nodes: nodes.size };
      }),
    );
  }
}
