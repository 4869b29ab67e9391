export type KillCause = 'killed' | 'timedOut';

/**
 * Watches a command's kill signal and its time limit and calls `kill` once, for whichever comes
 * first. `dispose()` when the command ended, so that neither fires afterwards.
 */
export class KillTrigger {
  killed = false;
  timedOut = false;
  private readonly timer: NodeJS.Timeout | undefined;
  private readonly signal: AbortSignal | undefined;
  private readonly onAbort = () => this.fire('killed');

  constructor(
    options: { timeoutMs?: number | undefined; killSignal?: AbortSignal | undefined },
    private readonly kill: (cause: KillCause) => void,
  ) {
    this.signal = options.killSignal;
    if (options.timeoutMs) this.timer = setTimeout(() => this.fire('timedOut'), options.timeoutMs);
    if (this.signal?.aborted) queueMicrotask(this.onAbort);
    else this.signal?.addEventListener('abort', this.onAbort, { once: true });
  }

  get fired(): boolean {
    return this.killed || this.timedOut;
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.signal?.removeEventListener('abort', this.onAbort);
  }

  private fire(cause: KillCause): void {
    if (this.fired) return;
    if (cause === 'killed') this.killed = true;
    else this.timedOut = true;
    this.dispose();
    this.kill(cause);
  }
}
