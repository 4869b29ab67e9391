import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';
import { takeOverCounts } from './process-counts.js';

/**
 * What this process counts as it works (as opposed to the gauges read from the database at each
 * scrape): commands run, SSH connections that failed, event delivery lag, agent results refused.
 * One registry per process, as prom-client's own default is, because the counting happens deep in
 * the executor, the event stream and the agent gateway where no server object reaches; servers and
 * `minke worker` expose it. Every metric is declared here: `/metrics` merges this registry when
 * the server starts, before the agent gateway is loaded.
 */
export const processMetrics = new Registry();

const commands = new Counter({
  name: 'minke_commands_total',
  help: 'Commands run by sessions in this process, by status (success, warning, error).',
  labelNames: ['status'] as const,
  registers: [processMetrics],
});

const connectFailures = new Counter({
  name: 'minke_ssh_connect_failures_total',
  help: 'Connections to hosts that could not be opened, by reason.',
  labelNames: ['reason'] as const,
  registers: [processMetrics],
});

const eventLag = new Histogram({
  name: 'minke_event_lag_seconds',
  help: 'Time from an event happening (its timestamp) to its delivery to an event-stream client.',
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
  registers: [processMetrics],
});

const httpRequests = new Histogram({
  name: 'minke_http_request_duration_seconds',
  help: 'Time the server took to answer an HTTP request (from reading it to the reply sent), by method, route pattern and status code; event streams are not counted.',
  labelNames: ['method', 'route', 'status'] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  registers: [processMetrics],
});

const refusedResults = new Counter({
  name: 'minke_agent_results_refused_total',
  help: 'Agent results the gateway refused, by reason (unknown-request, not-addressed, wrong-plugin, too-large, rate-limited).',
  labelNames: ['reason'] as const,
  registers: [processMetrics],
});

let defaultsOn = false;
/**
 * Adds Node's own gauges (memory, CPU, event-loop delay, ...) as `minke_process_*`,
 * `minke_nodejs_*`: only in processes that serve metrics, as watching the event loop costs a little.
 */
export function enableDefaultMetrics(): void {
  if (defaultsOn) return;
  defaultsOn = true;
  collectDefaultMetrics({ register: processMetrics, prefix: 'minke_' });
}

// The executor and the SSH transport count through process-counts.ts (no prom-client there, for a
// CLI's start-up); from the moment this module loads, their counts land in these counters.
takeOverCounts(
  {
    countCommand: (status) => commands.inc({ status }),
    countConnectFailure: (reason) => connectFailures.inc({ reason }),
  },
  (kind, label, n) =>
    kind === 'countCommand'
      ? commands.inc({ status: label }, n)
      : connectFailures.inc({ reason: label }, n),
);

export { countCommand, countConnectFailure } from './process-counts.js';

/** Counts an agent result the gateway refused; `reason` is its short code (`RefusalCode`). */
export function countRefusedResult(reason: string): void {
  refusedResults.inc({ reason });
}

/**
 * Records one answered HTTP request. `route` is the route's pattern (`/api/hosts/:name`), never
 * the path, so that the series stay few; requests no route matched share `(unmatched)`.
 */
export function observeHttpRequest(
  method: string,
  route: string | undefined,
  status: number,
  seconds: number,
): void {
  httpRequests.observe({ method, route: route ?? '(unmatched)', status: String(status) }, seconds);
}

/** Records how late an event (that happened at `at`, ISO-8601) reached a client. */
export function observeEventLag(at: string, now = Date.now()): void {
  const happened = Date.parse(at);
  // Clocks of different machines may disagree a little: never a negative lag.
  if (Number.isFinite(happened)) eventLag.observe(Math.max(0, now - happened) / 1000);
}
