import { Counter } from 'prom-client';
import { processMetrics } from './process-metrics.js';

const refusedResults = new Counter({
  name: 'minke_agent_results_refused_total',
  help: 'Agent results this server refused, by reason (unknown-request, not-addressed, wrong-plugin, too-large, rate-limited).',
  labelNames: ['reason'] as const,
  registers: [processMetrics],
});

/** Counts a result the gateway refused; `reason` is a short code (see `RefusalCode`). */
export function countRefusedResult(reason: string): void {
  refusedResults.inc({ reason });
}
