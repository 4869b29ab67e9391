// The server's own view of the polls: `minke_http_request_duration_seconds` (from reading a
// request to its reply sent), read before and after the live run, and the main event loop's delay
// over the run. Set beside the pollers' figures, they tell where a slow poll waited: in a route's
// own work, behind other work on the server's thread, or outside the server (the client's process,
// the network, the machine's other processes).
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import { processMetrics } from '../src/metrics/process-metrics.js';

/** Per route: requests answered at or under each bucket's bound (seconds), cumulative. */
export type RequestCounts = Map<string, Map<number, number>>;

export async function requestCounts(): Promise<RequestCounts> {
  const metric = processMetrics.getSingleMetric('minke_http_request_duration_seconds');
  const counts: RequestCounts = new Map();
  if (!metric) return counts;
  for (const value of (await metric.get()).values) {
    const bound = value.labels['le'];
    if (bound === undefined) continue;
    const route = `${value.labels['method']} ${value.labels['route']}`;
    const buckets = counts.get(route) ?? new Map<number, number>();
    const le = bound === '+Inf' ? Infinity : Number(bound);
    buckets.set(le, (buckets.get(le) ?? 0) + value.value);
    counts.set(route, buckets);
  }
  return counts;
}

/** Lines: all requests' shares within 100 ms, 250 ms and 1 s, then each route that had one over 1 s. */
export function requestLines(before: RequestCounts, after: RequestCounts): string[] {
  const within = (route: string, bound: number) =>
    (after.get(route)?.get(bound) ?? 0) - (before.get(route)?.get(bound) ?? 0);
  const routes = [...after.keys()];
  const sum = (bound: number) => routes.reduce((total, route) => total + within(route, bound), 0);
  const total = sum(Infinity);
  if (total === 0) return ['no requests answered'];
  const share = (n: number) => `${((n / total) * 100).toFixed(1)}%`;
  const lines = [
    `${total} requests answered; ${[0.1, 0.25, 1].map((b) => `${share(sum(b))} within ${b * 1000} ms`).join(', ')}`,
  ];
  for (const route of routes) {
    const over = within(route, Infinity) - within(route, 1);
    if (over > 0) lines.push(`over 1 s: ${over} of ${within(route, Infinity)} ${route}`);
  }
  return lines;
}

/** Watches the event loop of this process (the server's main thread) until `stop`. */
export function watchLoopDelay(): { stop: () => string } {
  const histogram: IntervalHistogram = monitorEventLoopDelay({ resolution: 10 });
  histogram.enable();
  return {
    stop() {
      histogram.disable();
      const ms = (ns: number) => (ns / 1e6).toFixed(0);
      return `median ${ms(histogram.percentile(50))} ms, p99 ${ms(histogram.percentile(99))} ms, max ${ms(histogram.max)} ms`;
    },
  };
}
