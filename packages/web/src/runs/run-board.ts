import { summarize, type RunSummary, type StartedRun, type StopOutcome } from '@minke/contract';
import { RunMonitor, type RunMonitorDeps } from './run-monitor.js';
import type { LiveSession } from './run-state.js';

/** Where a board remembers its runs across page loads (sessionStorage in the browser). */
export interface RunMemory {
  load(model: string): number[];
  save(model: string, runIds: readonly number[]): void;
  /** The objects cleared from the list (Clear), so that a reload does not bring their runs back. */
  loadCleared?(model: string): number[];
  saveCleared?(model: string, objectIds: readonly number[]): void;
}

/**
 * The runs shown on one model's list: the newest session of each object wins, as the original's
 * "current sessions". Runs are remembered per tab, so a reload resumes monitoring.
 */
export class RunBoard {
  private monitors: RunMonitor[] = [];
  private readonly listeners = new Set<() => void>();
  private readonly unsubscribers = new Map<RunMonitor, () => void>();
  /** Bumped on any change of any run. */
  version = 0;
  /** Session name → verbose name, for the rows and the summary. */
  private readonly verboseNames = new Map<string, string>();
  private cachedSummary: { version: number; summary: RunSummary } | undefined;
  /** Objects whose sessions the user cleared from this list; a later run shows again. */
  private readonly cleared = new Set<number>();

  constructor(
    readonly model: string,
    private readonly deps: RunMonitorDeps,
    private readonly memory?: RunMemory,
    /** Runs kept on the board; the oldest drop off. */
    private readonly keep = 5,
  ) {}

  /** Resumes the runs remembered for this model (once). */
  restore(): void {
    if (this.monitors.length > 0 || !this.memory) return;
    for (const id of this.memory.loadCleared?.(this.model) ?? []) this.cleared.add(id);
    for (const id of this.memory.load(this.model)) this.add(id);
  }

  /** Follows a run just started (or, without `started`, an existing one by id). */
  add(runId: number, started?: StartedRun): RunMonitor {
    const existing = this.monitors.find((m) => m.runId === runId);
    if (existing) return existing;
    for (const record of started?.records ?? []) this.cleared.delete(record.objectId);
    if (started) this.memory?.saveCleared?.(this.model, [...this.cleared]);
    const monitor = new RunMonitor(runId, this.deps);
    this.unsubscribers.set(
      monitor,
      monitor.subscribe(() => this.changed()),
    );
    this.monitors.unshift(monitor);
    for (const old of this.monitors.splice(this.keep)) this.drop(old);
    monitor.start(started);
    this.remember();
    this.changed();
    return monitor;
  }

  /** Applies what the server answered to stopping sessions (the row shows "stopping" at once). */
  applyStops(outcomes: readonly { recordId: number; outcome: StopOutcome }[]): void {
    for (const { recordId, outcome } of outcomes) {
      this.monitors.find((m) => m.state.sessions.has(recordId))?.applyStop(recordId, outcome);
    }
  }

  setVerboseNames(names: Iterable<[string, string]>): void {
    for (const [name, verbose] of names) this.verboseNames.set(name, verbose);
    this.changed();
  }

  /** "Disk usage" for `DiskUsage`, once the sessions are known. */
  verboseName(session: string): string {
    return this.verboseNames.get(session) ?? session;
  }

  /** Forgets every run (the original's Clear button). */
  clear(): void {
    for (const monitor of this.monitors) this.drop(monitor);
    this.monitors = [];
    this.cleared.clear();
    this.memory?.saveCleared?.(this.model, []);
    this.remember();
    this.changed();
  }

  /** Hides the sessions on these objects (the list's Clear of selected rows). */
  forget(objectIds: Iterable<number>): void {
    for (const id of objectIds) this.cleared.add(id);
    this.memory?.saveCleared?.(this.model, [...this.cleared]);
    this.changed();
  }

  get runs(): readonly RunMonitor[] {
    return this.monitors;
  }

  get running(): boolean {
    return this.monitors.some((m) => m.active);
  }

  /** The newest session on an object, with the run it belongs to. */
  session(objectId: number): { monitor: RunMonitor; live: LiveSession } | undefined {
    if (this.cleared.has(objectId)) return undefined;
    for (const monitor of this.monitors) {
      const live = monitor.session(objectId);
      if (live) return { monitor, live };
    }
    return undefined;
  }

  /** One session per object (the newest), for the summary and "stop all". */
  current(): LiveSession[] {
    const seen = new Set<number>();
    const out: LiveSession[] = [];
    for (const monitor of this.monitors) {
      for (const live of monitor.state.sessions.values()) {
        const key = live.objectId >= 0 ? live.objectId : -live.recordId - 1;
        if (seen.has(key) || this.cleared.has(live.objectId)) continue;
        seen.add(key);
        out.push(live);
      }
    }
    return out;
  }

  summary(): RunSummary {
    if (this.cachedSummary?.version !== this.version)
      this.cachedSummary = { version: this.version, summary: summarize(this.current()) };
    return this.cachedSummary.summary;
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private drop(monitor: RunMonitor): void {
    this.unsubscribers.get(monitor)?.();
    this.unsubscribers.delete(monitor);
    monitor.close();
  }

  private remember(): void {
    this.memory?.save(
      this.model,
      this.monitors.map((m) => m.runId),
    );
  }

  private changed(): void {
    this.version++;
    for (const listener of [...this.listeners]) listener();
  }
}
