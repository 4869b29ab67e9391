// The live-run part of the API bench: starts the load worker (an SSE client and the pollers, in a
// process of their own), which starts a run on the `bench-run` hosts and follows it to the end.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { LoadPlan } from './api-load-worker.js';
import { RUN_GROUP } from './api-seed.js';
import { loadLine, printSpread, type Spread } from './api-report.js';

export interface LiveRunOptions {
  base: string;
  token: string;
  /** What to run (a POST /api/runs body) and on how many hosts that is. */
  run: Record<string, unknown>;
  runHosts: number;
  pollers: number;
  pollRate: number;
}

export interface LiveRunResult {
  runId: number;
  finished: boolean;
  startMs: number;
  runMs: number;
  events: number;
  lines: Spread;
  eventAt: Spread;
  pollers?: {
    requests: number;
    non2xx: number;
    errors: number;
    timeouts: number;
    median: number;
    p97_5: number;
    p99: number;
    max: number;
  };
}

/** The run on every `bench-run` host. */
export const FLEET_RUN = {
  session: 'FleetTicks',
  model: 'Host',
  where: `groups.name = ${RUN_GROUP}`,
};

/**
 * What 50 API clients poll while a run streams: lists, the run (as the run's page reads it: a page
 * of its sessions with the counts), the history.
 */
const POLL_PATHS = [
  '/api/records/Service?limit=50',
  '/api/hosts?limit=50',
  '/api/runs?limit=20',
  '/api/runs/{run}/sessions?limit=100',
  '/api/session-records?run={run}&limit=50',
  `/api/records/Host?where=${encodeURIComponent(`groups.name = ${RUN_GROUP}`)}&limit=100`,
];

export async function liveRun(options: LiveRunOptions): Promise<LiveRunResult> {
  const plan: LoadPlan = {
    base: options.base,
    token: options.token,
    run: options.run,
    pollers: options.pollers,
    pollRate: options.pollRate,
    pollPaths: POLL_PATHS,
    timeoutMs: 300_000,
  };
  const worker = fileURLToPath(new URL('./api-load-worker.ts', import.meta.url));
  // The worker runs TypeScript as this process does, but is not profiled with it.
  const execArgv = process.execArgv.filter((arg) => !arg.startsWith('--cpu-prof'));
  const child = spawn(process.execPath, [...execArgv, worker, JSON.stringify(plan)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (text: string) => (output += text));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  const line = output.trim().split('\n').at(-1) ?? '';
  if (code !== 0 || !line.startsWith('{')) throw new Error(`load worker exited ${code}: ${output}`);
  const result = JSON.parse(line) as LiveRunResult;
  console.log(
    `live run ${result.runId} on ${options.runHosts} hosts: ${result.finished ? 'finished' : 'NOT finished'} in ${(result.runMs / 1000).toFixed(1)} s (POST ${result.startMs.toFixed(0)} ms), ${result.events} events; ${loadLine()}`,
  );
  printSpread('  SSE: output line printed → arrived', result.lines);
  printSpread('  SSE: event created (at) → arrived', result.eventAt);
  const p = result.pollers;
  if (p)
    console.log(
      `  ${options.pollers} pollers (${options.pollRate > 0 ? `${options.pollRate}/s each` : 'flat out'}): ${p.requests} requests, ${p.non2xx} non-2xx, ${p.errors} errors, ${p.timeouts} timeouts; median ${p.median} ms  p97.5 ${p.p97_5} ms  p99 ${p.p99} ms  max ${p.max} ms`,
    );
  return result;
}
