import type { JobDetail, JobItem, JobLaunched, NewJobBody, UpcomingTicks } from '@minke/contract';
import type { ApiClient } from './api-client.js';

/**
 * Saved jobs as `minke jobs` and `minke schedules` use them: the same calls on the local project
 * or, with `--server`, on a server's API (as the token's user).
 */
export interface JobsSource {
  list(): Promise<JobItem[]>;
  show(name: string): Promise<JobDetail>;
  create(body: NewJobBody): Promise<JobDetail>;
  setEnabled(name: string, enabled: boolean): Promise<JobDetail>;
  delete(name: string): Promise<void>;
  upcoming(hours: number): Promise<UpcomingTicks>;
  /** `--data key=value` pairs typed by the session's form. */
  parseData(session: string, pairs: readonly string[]): Promise<Record<string, unknown>>;
}

/** `/api/jobs` and `/api/schedules`; a job's name is looked up in the list for its id. */
export function remoteJobs(client: ApiClient): JobsSource & {
  launch(name: string, data: Record<string, unknown>): Promise<JobLaunched>;
} {
  const idOf = async (name: string) => {
    const job = (await client.get<JobItem[]>('/api/jobs')).find((j) => j.name === name);
    if (!job) throw new Error(`job ${name} does not exist on ${client.url}`);
    return job.id;
  };
  return {
    list: () => client.get<JobItem[]>('/api/jobs'),
    show: async (name) => client.get<JobDetail>(`/api/jobs/${await idOf(name)}`),
    create: (body) => client.post<JobDetail>('/api/jobs', body),
    setEnabled: async (name, enabled) =>
      client.post<JobDetail>(`/api/jobs/${await idOf(name)}/${enabled ? 'enable' : 'disable'}`),
    delete: async (name) => client.delete(`/api/jobs/${await idOf(name)}`),
    upcoming: (hours) => client.get<UpcomingTicks>('/api/schedules', { hours }),
    async parseData(session, pairs) {
      if (pairs.length === 0) return {};
      const { parseRunDataBySchema } = await import('../run-data.js');
      const catalog = await client.get<{ name: string; form: unknown }[]>('/api/sessions');
      return parseRunDataBySchema(pairs, catalog.find((entry) => entry.name === session)?.form);
    },
    launch: async (name, data) =>
      client.post<JobLaunched>(`/api/jobs/${await idOf(name)}/launch`, { data }),
  };
}
