import type { AuditActor } from '../../audit/audit-context.js';
import type { RunEvent } from '../../events/run-events.js';
import type { CountTally } from '../../metrics/process-counts.js';
import type { SessionInfo } from '../../session/session-registry.js';
import type { RunPlan, StopOutcome } from '../executor.js';

/**
 * A run plan as it crosses to the session thread: the session by name (its class cannot be
 * copied; the thread has loaded the same project), everything else as structured clone copies it
 * (the run-time connection too: it stays in this process's memory, as in-process).
 */
export type ThreadPlan = Omit<RunPlan, 'session'> & { session: string };

/** What the server's thread asks of the session thread. */
export type ToSessionThread =
  /** Run a plan, writing as `actor` where the run's requester is recorded (audit rows). */
  | { type: 'submit'; plan: ThreadPlan; actor: AuditActor }
  /** A stop was written already (`RunJournal.stopRequested`): act on it. */
  | { type: 'abort'; recordId: number; outcome: StopOutcome }
  /** Answer `done` with `call` once every run submitted so far has finished. */
  | { type: 'idle'; call: number }
  /** Answer `done` with `call` at once: the thread's event loop still turns (the watchdog). */
  | { type: 'ping'; call: number }
  /** Stop everything, close the project, answer `done` and end. */
  | { type: 'close'; call: number };

/** What the session thread tells the server's thread. */
export type FromSessionThread =
  /** The project is open and the executor takes runs. */
  | { type: 'ready' }
  /** Run events in the order they happened, to publish on the server's bus, and the commands
   * and failed connections counted meanwhile (for the server's /metrics), added first. */
  | { type: 'events'; events: RunEvent[]; counts: CountTally[] }
  | { type: 'done'; call: number }
  /** The thread could not start; it ends after saying why. */
  | { type: 'failed'; message: string };

export function threadPlanOf(plan: RunPlan): ThreadPlan {
  return { ...plan, session: plan.session.name };
}

/** The plan again, with the session the thread's own project registered under that name. */
export function planOf(plan: ThreadPlan, sessions: ReadonlyMap<string, SessionInfo>): RunPlan {
  const session = sessions.get(plan.session);
  if (!session) throw new Error(`the session thread's project has no session ${plan.session}`);
  return { ...plan, session };
}
