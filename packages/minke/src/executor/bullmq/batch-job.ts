import type { HostBatch, RunPlan, RunWideLimit, SessionJob } from '../executor.js';
import type { SealedRunValues } from './sealed-run-values.js';

/** The one queue of session batches (BullMQ names may not hold ':'). */
export const SESSION_QUEUE = 'minke-sessions';

/**
 * A queued job: the session records of one run on one host, in order. A worker takes the host's
 * lease and runs them one after another (together when the session allows parallel runs), so one
 * queue serves any number of hosts and per-host order needs no queue per host.
 */
export interface BatchJobData {
  runId: number;
  /** The session's registered name; the worker's project knows its class. */
  session: string;
  model: string;
  /** The form data, parsed, without its secret fields (those travel in `sealed`). */
  data: Record<string, unknown>;
  /** The run's secret form values and run-time connection layer, encrypted for this run only. */
  sealed?: SealedRunValues | undefined;
  /**
   * Set by the requeuer on a batch it queues again from the database for a run that had secret
   * values: they were only in the lost job, so the worker ends its sessions instead of running.
   */
  secretValuesLost?: true;
  /** The run's time limit per object in ms, given at its start. */
  timeoutMs?: number | undefined;
  /** The run's time limit as a whole, and when it ends (epoch ms). */
  runLimit?: RunWideLimit | undefined;
  hostId: number;
  hostName: string;
  jobs: SessionJob[];
}

/**
 * One id per (run, host): adding a batch that is still queued or running is a no-op, which lets
 * the requeuer re-add whatever the database says is waiting without making duplicates.
 */
export function batchJobId(runId: number, hostId: number): string {
  return `run-${runId}-host-${hostId}`;
}

/** The plan's jobs; `data` is the form data that may travel in clear, `sealed` the rest. */
export function batchJobs(
  plan: RunPlan,
  data: Record<string, unknown>,
  sealed: SealedRunValues | undefined,
): { name: string; data: BatchJobData; opts: BatchJobOptions }[] {
  return plan.batches.map((batch: HostBatch) => ({
    name: 'batch',
    data: {
      runId: plan.runId,
      session: plan.session.name,
      model: plan.model,
      data,
      ...(sealed === undefined ? {} : { sealed }),
      ...(plan.timeoutMs === undefined ? {} : { timeoutMs: plan.timeoutMs }),
      ...(plan.runLimit === undefined ? {} : { runLimit: plan.runLimit }),
      hostId: batch.hostId,
      hostName: batch.hostName,
      jobs: batch.jobs,
    },
    opts: batchJobOptions(plan.runId, batch.hostId),
  }));
}

export interface BatchJobOptions {
  jobId: string;
  removeOnComplete: boolean;
  removeOnFail: boolean;
  attempts: number;
  backoff: { type: 'exponential'; delay: number };
}

/**
 * Finished jobs are removed, so their id is free for a re-add; a job whose processing failed
 * (the database away, say) is retried with backoff, and after that the requeuer brings its
 * waiting sessions back.
 */
export function batchJobOptions(runId: number, hostId: number): BatchJobOptions {
  return {
    jobId: batchJobId(runId, hostId),
    removeOnComplete: true,
    removeOnFail: true,
    attempts: 8,
    backoff: { type: 'exponential', delay: 1000 },
  };
}
