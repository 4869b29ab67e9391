import type { Logger } from '../../logger.js';
import type { Database } from '../../store/database.js';
import type { StopControls } from '../session-runner.js';

/**
 * Delivers stops made on any server to the sessions running in this worker. A stop is a counter
 * in the session's record (`RunStore.requestStop`); the worker reads the counters of what it runs
 * every `intervalMs`: the first stop lets the current command finish, the second kills it.
 */
export class StopWatch {
  private timer: NodeJS.Timeout | undefined;
  private polling = false;

  constructor(
    private readonly database: Database,
    private readonly active: ReadonlyMap<number, { controls: StopControls }>,
    private readonly logger: Logger,
    private readonly intervalMs: number,
  ) {}

  start(): void {
    this.timer ??= setInterval(() => void this.poll(), this.intervalMs);
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** One look at the stop counters of the sessions running here. */
  async poll(): Promise<void> {
    if (this.polling || this.active.size === 0) return;
    this.polling = true;
    try {
      const ids = [...this.active.keys()];
      for (let i = 0; i < ids.length; i += 500) {
        const rows = await this.database.tables
          .selectFrom('minke_session_records')
          .select(['id', 'stop_requests'])
          .where('id', 'in', ids.slice(i, i + 500))
          .where('stop_requests', '>', 0)
          .execute();
        for (const row of rows) this.apply(Number(row.id), Number(row.stop_requests));
      }
    } catch (error) {
      this.logger.warn({ err: error }, 'could not read stop requests');
    } finally {
      this.polling = false;
    }
  }

  private apply(recordId: number, requests: number): void {
    const controls = this.active.get(recordId)?.controls;
    if (!controls) return;
    if (!controls.stop.signal.aborted) controls.stop.abort();
    if (requests >= 2 && !controls.kill.signal.aborted) controls.kill.abort();
  }
}
