// The clients of the live-run measurement, in a process of their own so that their work does not
// run on the server's event loop (a browser and API clients are other processes too):
// an SSE client that times every event of the run, and `pollers` API clients (autocannon) that
// poll list endpoints and the run itself at a steady rate while it streams. Prints one JSON line.
import autocannon from 'autocannon';
import { spreadOf } from './api-report.js';

export interface LoadPlan {
  base: string;
  token: string;
  /** The POST /api/runs body of the run to follow. */
  run: Record<string, unknown>;
  pollers: number;
  /** Requests per second per poller; 0 for as fast as each connection can. */
  pollRate: number;
  /** Paths the pollers cycle through; `{run}` is the started run's id. */
  pollPaths: string[];
  timeoutMs: number;
}

const plan = JSON.parse(process.argv[2] ?? '{}') as LoadPlan;
const headers = { authorization: `Bearer ${plan.token}` };

const controller = new AbortController();
const deadline = setTimeout(() => controller.abort(), plan.timeoutMs);
const stream = await fetch(`${plan.base}/api/events`, { headers, signal: controller.signal });
if (!stream.body) throw new Error('no event stream');
const reader = stream.body.pipeThrough(new TextDecoderStream()).getReader();

const started = performance.now();
const response = await fetch(`${plan.base}/api/runs`, {
  method: 'POST',
  headers: { ...headers, 'content-type': 'application/json' },
  body: JSON.stringify(plan.run),
});
if (response.status !== 201)
  throw new Error(`POST /api/runs: ${response.status} ${await response.text()}`);
const runId = ((await response.json()) as { id: number }).id;
const startMs = performance.now() - started;

/** Autocannon's instance (to stop it) and its result, which comes after the stop. */
function startPollers(runId: number) {
  let instance: autocannon.Instance | undefined;
  const result = new Promise<autocannon.Result>((resolve, reject) => {
    instance = autocannon(
      {
        url: plan.base,
        connections: plan.pollers,
        ...(plan.pollRate > 0 ? { connectionRate: plan.pollRate } : {}),
        duration: Math.ceil(plan.timeoutMs / 1000),
        headers,
        timeout: 10,
        requests: plan.pollPaths.map((path) => ({
          method: 'GET',
          path: path.replace('{run}', String(runId)),
        })),
      },
      (error, done) => (error ? reject(error as Error) : resolve(done)),
    );
  });
  return { stop: () => instance?.stop(), result };
}
const pollers = plan.pollers === 0 ? undefined : startPollers(runId);

const lineLatencies: number[] = [];
const eventLatencies: number[] = [];
let events = 0;
let buffer = '';
let finished = false;
try {
  while (!finished) {
    const { value, done } = await reader.read();
    if (done) break;
    const arrived = Date.now();
    buffer += value;
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const dataAt = block.indexOf('data: ');
      if (dataAt < 0) continue;
      const data = JSON.parse(block.slice(dataAt + 6)) as {
        type?: string;
        runId?: number;
        at?: string;
        chunk?: string;
      };
      if (data.runId !== runId) continue;
      events++;
      if (data.at) eventLatencies.push(arrived - Date.parse(data.at));
      if (data.type === 'output')
        for (const line of (data.chunk ?? '').split('\n'))
          if (/^\d{13}$/.test(line)) lineLatencies.push(arrived - Number(line));
          else if (/^\d{10}\.\d{6}$/.test(line)) lineLatencies.push(arrived - Number(line) * 1000);
      if (data.type === 'run.finished') finished = true;
    }
  }
} catch (error) {
  // Past the deadline: report what arrived, with `finished: false`.
  if (!controller.signal.aborted) throw error;
} finally {
  clearTimeout(deadline);
  await reader.cancel().catch(() => undefined);
  controller.abort();
}
const runMs = performance.now() - started;
pollers?.stop();
const polled = await pollers?.result;

console.log(
  JSON.stringify({
    runId,
    finished,
    startMs,
    runMs,
    events,
    lines: spreadOf(lineLatencies),
    eventAt: spreadOf(eventLatencies),
    pollers: polled && {
      requests: polled.requests.total,
      non2xx: polled.non2xx,
      errors: polled.errors,
      timeouts: polled.timeouts,
      median: polled.latency.p50,
      p97_5: polled.latency.p97_5,
      p99: polled.latency.p99,
      max: polled.latency.max,
    },
  }),
);
