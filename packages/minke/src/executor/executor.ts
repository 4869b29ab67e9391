import type { BatchPolicy, StopOutcome } from '@minke/contract';
import type { SessionInfo } from '../session/session-registry.js';

/** One session record to run: an object of the run's model. */
export interface SessionJob {
  recordId: number;
  objectId: number;
  objectLabel: string;
}

/** The jobs of one host, run one after another unless the session allows parallel runs. */
export interface HostBatch {
  hostId: number;
  hostName: string;
  jobs: SessionJob[];
}

export interface RunPlan {
  runId: number;
  session: SessionInfo;
  model: string;
  data: Record<string, unknown>;
  batches: HostBatch[];
  /** The run-time connection layer (last of the layers), for this run only: never stored. */
  connection?: Record<string, unknown> | undefined;
  /** Roll the run out in batches with a failure budget (src/rollout/). */
  rollout?: BatchPolicy | undefined;
  /** Set on one batch of a rolling run: later batches may still wait, held. */
  rolloutBatch?: number | undefined;
  /** The run's time limit per object in ms, given at its start (the session's own may be shorter). */
  timeoutMs?: number | undefined;
  /** The run's time limit as a whole, given at its start: when it ends, what still runs stops. */
  runLimit?: RunWideLimit | undefined;
}

/** A whole run's time limit: how long (for messages) and when it ends (epoch ms). */
export interface RunWideLimit {
  ms: number;
  endsAt: number;
}

/** What stopping one session did (the contract's: the API answers it). */
export type { StopOutcome } from '@minke/contract';

/**
 * Runs the session records of a run. In-process when embedded; a queue-backed executor (BullMQ)
 * implements the same interface for workers on other machines.
 */
export interface Executor {
  /** Whether it can apply a plan's run-time `connection` (it must not store it in clear). */
  readonly takesRunTimeConnection?: boolean;
  /** Schedules a run's batches; returns at once. */
  submit(plan: RunPlan): void;
  /**
   * Stops one session record: a waiting one is canceled; the first stop of a running one lets its
   * command finish and runs nothing more; the second kills the running command.
   */
  stop(recordId: number): Promise<StopOutcome>;
  /** Resolves when every submitted run has finished. */
  idle(): Promise<void>;
  close(): Promise<void>;
  /**
   * Publishes at once the events that came from elsewhere (another thread) and wait to be
   * handled; the server calls it between requests, so that a burst of requests does not hold
   * them. Executors whose events are published where they happen have none.
   */
  takeEvents?(): void;
}
