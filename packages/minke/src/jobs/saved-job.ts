import type { BatchPolicy, JobSecretSource, JobSelection, NotificationRule } from '@minke/contract';

/** A job's schedule as stored. */
export interface StoredSchedule {
  cron: string;
  timezone: string;
  endAt: string | null;
  enabled: boolean;
  missed: 'skip' | 'run-once';
  overlap: 'skip' | 'queue';
  /** Since when it stands as it is: ticks before were never due (missed-tick catch-up starts here). */
  since: string | null;
  lastTickAt: string | null;
}

/** A saved job as Minke keeps it: no secret value in it, only where each secret comes from. */
export interface SavedJob {
  id: number;
  name: string;
  description: string;
  session: string;
  model: string;
  selection: JobSelection;
  data: Record<string, unknown>;
  secrets: Record<string, JobSecretSource>;
  batch: BatchPolicy | null;
  /** Its launches' time limit per object, in ms. */
  timeoutMs: number | null;
  /** Each launch's time limit as a whole, in ms. */
  runTimeoutMs: number | null;
  notify: NotificationRule[];
  /** Whose rights a scheduled launch runs with (null: the local operator). */
  ownerId: number | null;
  schedule: StoredSchedule | null;
  createdAt: string;
  createdBy: string | null;
  updatedAt: string;
  updatedBy: string | null;
}

/** What a create or a change writes. */
export type JobValues = Omit<SavedJob, 'id' | 'createdAt' | 'updatedAt' | 'createdBy'>;
