import type { Logger } from '../logger.js';
import type { RunServices } from '../operations/start-run.js';

/** What firing a tick needs: the run services, a logger, and how a queued tick waits. */
export interface TickServices {
  runtime: RunServices;
  logger: Logger;
  /** How often a queued tick looks whether the previous run ended (default 1 s). */
  queuePollMs?: number;
  /** How long a queued tick waits for the previous run at most (default 1 h). */
  queueLimitMs?: number;
}
