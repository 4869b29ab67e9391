import type { Logger } from '../logger.js';
import type { Database } from '../store/database.js';
import { runWithAuditActor, type AuditActor } from './audit-context.js';
import { pruneAudit } from './prune-audit.js';

const DAY_MS = 86_400_000;

/** Who prunes: the retention setting, applied by the server. */
const retention: AuditActor = { userId: null, name: 'audit retention', via: 'server', ip: null };

/**
 * Applies `audit.retentionDays`: prunes once at start and then daily. Several servers may prune
 * at once: each pass deletes only rows older than the cutoff and appends its own `audit.pruned`
 * row, so the chain stays whole. Returns a stop function.
 */
export function startAuditRetention(
  database: Database,
  retentionDays: number,
  logger: Logger,
): () => Promise<void> {
  let running: Promise<unknown> | undefined;
  const pass = () => {
    if (running) return;
    running = runWithAuditActor(
      () => retention,
      () => pruneAudit(database, retentionDays),
    )
      .then((removed) => {
        if (removed > 0) logger.info({ removed, retentionDays }, 'audit: pruned old rows');
      })
      .catch((error: unknown) => logger.warn({ err: error }, 'audit: could not prune old rows'))
      .finally(() => (running = undefined));
  };
  pass();
  const timer = setInterval(pass, DAY_MS);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await running;
  };
}
