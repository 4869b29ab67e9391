import type { RunUser } from '../auth/run-user.js';
import { credentialStoreOf } from '../credentials/credential-reader.js';
import { InputError } from '../errors.js';
import {
  startRun,
  type RunServices,
  type StartRunInput,
  type StartedRun,
} from '../operations/start-run.js';
import { requireViewJobs } from '../auth/job-access.js';
import type { SavedJob } from './saved-job.js';

export interface LaunchOptions {
  user: RunUser;
  /** Values of the secret fields the job asks for at launch (nothing else). */
  data?: Record<string, unknown> | undefined;
}

/**
 * Launches a saved job: an ordinary run (`startRun`, with its permission checks: the session's
 * run permission and view on the model) on the job's selection as it stands now, with the job's
 * form data, its secrets read from the credentials store at this moment (or asked for), and a
 * link to the job on the run.
 *
 * @example await launchJob(runtime, job, { user, data: { password: typed } })
 */
export async function launchJob(
  services: RunServices,
  job: SavedJob,
  options: LaunchOptions,
): Promise<StartedRun> {
  requireViewJobs(options.user);
  const data = { ...job.data, ...(await secretValues(services, job, options.data ?? {})) };
  const input: StartRunInput = {
    session: job.session,
    model: job.model,
    ...selectionOf(job),
    data,
    user: options.user,
    jobId: job.id,
    // The job's rollout policy travels with the run (rolling batches, failure budget).
    ...(job.batch ? { batch: job.batch } : {}),
    ...(job.timeoutMs === null ? {} : { timeoutMs: job.timeoutMs }),
    ...(job.runTimeoutMs === null ? {} : { runTimeoutMs: job.runTimeoutMs }),
  };
  return startRun(services, input);
}

function selectionOf(job: SavedJob): Pick<StartRunInput, 'ids' | 'where' | 'all'> {
  const { selection } = job;
  if (selection.kind === 'where') return { where: selection.where };
  if (selection.kind === 'ids') return { ids: selection.ids };
  return { all: true };
}

/** The secret fields' values: read from their credential, or taken from what the launch gave. */
async function secretValues(
  services: RunServices,
  job: SavedJob,
  given: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  const asked = new Set(
    Object.entries(job.secrets)
      .filter(([, source]) => source === 'ask')
      .map(([field]) => field),
  );
  for (const field of Object.keys(given)) {
    if (!asked.has(field))
      throw new InputError(
        `job ${job.name} does not ask for ${field} at launch: change the job to change its data`,
        { fields: { [`data.${field}`]: 'not asked at launch' } },
      );
  }
  const out: Record<string, unknown> = {};
  const reader = credentialStoreOf(services.project).reader();
  for (const [field, source] of Object.entries(job.secrets)) {
    if (source === 'ask') {
      if (given[field] === undefined || given[field] === '')
        throw new InputError(`job ${job.name} asks for ${field} at launch`, {
          fields: { [`data.${field}`]: 'required at launch' },
        });
      out[field] = given[field];
      continue;
    }
    try {
      out[field] = await reader.password(source.credential);
    } catch (error) {
      // The reason names the credential, never a secret.
      throw new InputError(`job ${job.name}: ${field}: ${(error as Error).message}`, {
        fields: { [`secrets.${field}`]: 'credential unavailable' },
      });
    }
  }
  return out;
}
