import type { Executor, RunPlan, StopOutcome } from '../executor.js';

/**
 * An executor still loading (the queue library is imported on demand, so in-process
 * installations never load it). Runs submitted meanwhile are handed over in order.
 */
export class DeferredExecutor implements Executor {
  /** The executor it loads (BullMQ) seals run-time connection values into its jobs. */
  readonly takesRunTimeConnection = true;
  private chain: Promise<unknown>;

  constructor(
    private readonly loaded: Promise<Executor>,
    private readonly onError: (error: unknown) => void,
  ) {
    this.chain = loaded.catch(onError);
  }

  submit(plan: RunPlan): void {
    this.chain = this.chain
      .then(() => this.loaded.then((executor) => executor.submit(plan)))
      .catch(this.onError);
  }

  async stop(recordId: number): Promise<StopOutcome> {
    return (await this.loaded).stop(recordId);
  }

  async idle(): Promise<void> {
    await this.chain;
    await (await this.loaded).idle();
  }

  async close(): Promise<void> {
    await this.chain;
    const executor = await this.loaded.catch(() => undefined);
    await executor?.close();
  }
}
