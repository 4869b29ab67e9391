// The server's own view of event latency: `minke_event_lag_seconds`, observed when an event is
// pushed to an event-stream client, read before and after the live run. Set beside the client's
// figures, it tells whether a late event was late in the server or in the load worker, which
// runs the SSE client in the same process as the pollers.
import { processMetrics } from '../src/metrics/process-metrics.js';

/** Events observed at or under each bucket's bound (seconds), cumulative. */
export type LagCounts = Map<number, number>;

export async function eventLagCounts(): Promise<LagCounts> {
  const metric = processMetrics.getSingleMetric('minke_event_lag_seconds');
  const counts: LagCounts = new Map();
  if (!metric) return counts;
  for (const value of (await metric.get()).values) {
    const bound = value.labels['le']; // only the buckets' values carry it
    if (bound !== undefined) counts.set(bound === '+Inf' ? Infinity : Number(bound), value.value);
  }
  return counts;
}

/** "n events; 61% within 50 ms, 88% within 100 ms, ..." for what was observed between two reads. */
export function lagLine(before: LagCounts, after: LagCounts): string {
  const total = (after.get(Infinity) ?? 0) - (before.get(Infinity) ?? 0);
  if (total <= 0) return 'no events observed';
  const shares = [0.05, 0.1, 0.25, 1].map((bound) => {
    const within = (after.get(bound) ?? 0) - (before.get(bound) ?? 0);
    return `${((within / total) * 100).toFixed(0)}% within ${bound * 1000} ms`;
  });
  return `${total} events; ${shares.join(', ')}`;
}
