import { credentialStoreOf } from '../../credentials/credential-reader.js';
import type { RunSummary } from '../../events/run-events.js';
import { JobOperations } from '../../jobs/job-operations.js';
import { launchJob } from '../../jobs/launch-job.js';
import type { OpenedProject } from '../../runtime/open-project.js';
import { upcomingTicksOf } from '../../schedules/upcoming.js';
import { cliRunUser } from '../local-run.js';
import type { Out } from '../output.js';
import { exitCodeOf, summaryCounts } from '../run-outcome.js';
import type { JobsSource } from '../remote/remote-jobs.js';

/** The jobs of the local project, through the same operations as the API. */
export async function localJobs(project: OpenedProject, by: string): Promise<JobsSource> {
  const { localOperator } = await import('../../auth/run-user.js');
  const user = (await cliRunUser(project)) ?? localOperator;
  const { notificationsOf } = await import('../../notifications/notification-settings.js');
  const settings = notificationsOf(project.config.notifications, project.config.configFile);
  const jobs = new JobOperations({
    database: project.database,
    sessions: project.sessions,
    credentials: credentialStoreOf(project),
    channels: new Set(settings.channels.keys()),
  });
  return {
    list: () => jobs.list(user),
    show: (name) => jobs.show(user, name),
    create: (body) => jobs.create(user, body, by),
    setEnabled: (name, enabled) => jobs.setEnabled(user, name, enabled, by),
    delete: async (name) => void (await jobs.delete(user, name)),
    upcoming: async (hours) => {
      const { requireViewJobs } = await import('../../auth/job-access.js');
      requireViewJobs(user);
      return upcomingTicksOf(project.database, hours);
    },
    async parseData(session, pairs) {
      const { parseRunData } = await import('../run-data.js');
      return parseRunData(pairs, project.sessions.sessions.get(session)?.cls.form);
    },
  };
}

/**
 * `minke jobs run NAME` on the local project: launches the job in this process (as `minke run`
 * does) and waits for its end. Exit code 0 when no session ended in error, 1 otherwise.
 */
export async function runJobHere(
  project: OpenedProject,
  name: string,
  pairs: readonly string[],
  options: { json: boolean; out: Out },
): Promise<number> {
  const { localOperator } = await import('../../auth/run-user.js');
  const { createRuntime } = await import('../../runtime/runtime.js');
  const { watchRunInDatabase } = await import('../run-database-watch.js');
  const { parseRunData } = await import('../run-data.js');
  const user = (await cliRunUser(project)) ?? localOperator;
  const jobs = new JobOperations({
    database: project.database,
    sessions: project.sessions,
    credentials: credentialStoreOf(project),
  });
  const job = await jobs.find(name);
  const data = parseRunData(pairs, project.sessions.sessions.get(job.session)?.cls.form);
  const runtime = createRuntime(project, { quiet: true, role: 'client', keepConnections: false });
  try {
    const started = await launchJob(runtime, job, { user, data });
    if (!options.json)
      options.out.line(
        `launched job ${job.name}: run ${started.runId} of ${job.session} on ${started.records.length} object(s)`,
      );
    // The records tell the end whatever the event bus does (see watchRunInDatabase).
    const done = new AbortController();
    const summary: RunSummary | undefined = await watchRunInDatabase(
      project.database,
      started.runId,
      { printed: new Set(), emit: () => undefined, signal: done.signal, pollMs: 250, graceMs: 0 },
    );
    done.abort();
    // No server heard this run: its notifications (the job's rules too) are sent from here.
    const { announceRun } = await import('../../notifications/announce-run.js');
    const { deliveryLines } = await import('../../notifications/delivery-lines.js');
    const notified = await announceRun(project, runtime.logger, started.runId);
    if (options.json)
      options.out.json({ runId: started.runId, job: job.name, summary, notifications: notified });
    else if (summary) {
      options.out.line(`run ${started.runId}: ${summaryCounts(summary)}`);
      for (const line of deliveryLines(notified)) options.out.line(line);
    }
    return summary ? exitCodeOf(summary) : 1;
  } finally {
    await runtime.close();
  }
}
