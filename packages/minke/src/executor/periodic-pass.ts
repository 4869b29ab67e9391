/**
 * Runs `pass` every `intervalMs`, never two at a time (a pass still running when the next is due
 * is not doubled), and logs a failed pass through `onError` instead of stopping. The timer does
 * not keep the process alive; `stop()` waits for the pass in progress.
 */
export class PeriodicPass {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;

  constructor(
    private readonly pass: () => Promise<unknown>,
    private readonly onError: (error: unknown) => void,
    private readonly intervalMs: number,
  ) {}

  /**
   * Starts the timer; `runNow` also runs a first pass at once. Resolves when that first pass is
   * over (failed or not: a failure goes to `onError`), at once without one.
   */
  async start(runNow = false): Promise<void> {
    if (this.timer) return;
    if (runNow) this.tick();
    this.timer = setInterval(() => this.tick(), this.intervalMs);
    this.timer.unref();
    await this.running;
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  private tick(): void {
    if (this.running) return;
    this.running = this.pass()
      .catch(this.onError)
      .finally(() => (this.running = undefined));
  }
}
