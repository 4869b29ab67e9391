// npm run bench -- fanout [--hosts N] [--ports P] [--concurrency C] [--database sqlite|postgres]
//                         [--rounds R] [--order bare-first|minke-first] [--shell-rc]
//                         [--side both|all|bare|transport|minke|cli] [--known-hosts K]
//                         [--workers W[,W...]] [--cpu-prof DIR]
//
// One command on N hosts against one local sshd: `minke run FanoutTrue --all` as a user types it
// (the built CLI on a project folder, a child process) and a bare ssh2 script (connect, exec,
// close) in this process. `--side all` adds Minke's SSH transport alone and a session run through
// startRun in this process (no CLI start-up, no printing). Prints wall time, hosts per second,
// client CPU, RSS and failures of each, and the ratio. Figures only; nothing asserted.
//
// Reading the figures: the sshd runs on the same cores as the client and costs ~20 ms of CPU
// per connection, several times the client's share, so the wall time is mostly the server's and
// a client's extra CPU shows in the wall time nearly one for one ("machine busy %" near 100).
// "sshd ms/host" is the server's CPU per connection (from /proc, once sshd reaped them). On a
// shared machine run several rounds (`--rounds 5`) and look at the median. `--side all` adds a
// row for Minke's SSH transport alone; `--known-hosts 1000` gives Minke a fleet-sized
// known_hosts file; `--shell-rc` lets bash read the login user's ~/.bashrc on every command.
//
// `--workers 2` adds a row for the same run on the BullMQ executor (Redis at MINKE_TEST_REDIS_URL
// or 127.0.0.1:6379, a fresh queue prefix removed afterwards) run by 2 worker processes, each
// with the same host limit (`--concurrency`) as the in-process executor; `--workers 1,2` adds a
// row per count. The project is then on PostgreSQL unless `--database` says otherwise (several
// processes share it). Printed: wall time to run.finished, hosts per second, the sessions each
// worker finished and the workers' CPU, next to the in-process row of the same round.
//
// `--cpu-prof DIR`: the CLI child writes a V8 CPU profile of each of its runs into DIR (its
// figures then include the profiler's cost). For the in-process sides, run the bench itself
// under `node --cpu-prof`.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { runBare, type FanoutTarget } from './fanout-bare.js';
import { runCli, writeCliProject, type CliOutcome } from './fanout-cli.js';
import { measurePhase, processTreeCpuMs, waitForServerQuiet } from './fanout-measure.js';
import {
  addHosts,
  failureMessages,
  openBenchProject,
  runMinke,
  type DatabaseKind,
  type MinkeOutcome,
  type MinkeProject,
} from './fanout-minke.js';
import {
  countLines,
  printHeader,
  printResults,
  type SideName,
  type SideResult,
} from './fanout-report.js';
import { startBenchSshd, type BenchSshd } from './fanout-sshd.js';
import { runTransport } from './fanout-transport.js';
import { runQueued, startBenchWorkers } from './fanout-workers.js';

const command = 'true';
/** Per host: connect, and the command. Generous: a loaded loopback answers in seconds. */
const connectTimeoutMs = 20_000;
const commandTimeoutMs = 30_000;
/** Cleanup on failure or Ctrl-C must end too. */
const cleanupTimeoutMs = 15_000;

/** The sides run in this process (the BullMQ rows come from `workers`). */
type DirectSide = Exclude<SideName, 'queued'>;

export interface FanoutOptions {
  hosts: number;
  ports: number;
  concurrency: number;
  database: DatabaseKind;
  rounds: number;
  order: 'bare-first' | 'minke-first';
  /** `both` is bare + the CLI; `all` adds Minke's SSH transport alone and the in-process run; a
   * single side is for profiling it (`node --cpu-prof`). The ratio needs bare and a Minke side. */
  side: 'both' | 'all' | DirectSide;
  shellRc: boolean;
  /** Other hosts' entries in the known_hosts file Minke reads (a fleet's file has one per host). */
  knownHosts: number;
  /** Worker counts for BullMQ rows (`--workers 1,2`); empty: no BullMQ row. */
  workers: number[];
  /** Where the CLI child writes its CPU profiles; undefined: not profiled. */
  cpuProfileDir: string | undefined;
}

function parseOptions(args: string[]): FanoutOptions {
  const { values } = parseArgs({
    args,
    options: {
      hosts: { type: 'string', default: '200' },
      ports: { type: 'string', default: '8' },
      // Minke's default maxParallelHosts; both sides use the same so that the comparison is fair.
      concurrency: { type: 'string', default: '256' },
      database: { type: 'string' },
      rounds: { type: 'string', default: '1' },
      order: { type: 'string', default: 'bare-first' },
      side: { type: 'string', default: 'both' },
      'shell-rc': { type: 'boolean', default: false },
      'known-hosts': { type: 'string', default: '0' },
      workers: { type: 'string' },
      'cpu-prof': { type: 'string' },
    },
    strict: true,
  });
  const int = (name: string, text: string, max: number) => {
    const value = Number(text);
    if (!Number.isInteger(value) || value < 1 || value > max)
      throw new Error(`--${name} must be an integer from 1 to ${max}, got ${text}`);
    return value;
  };
  const workers =
    values.workers === undefined
      ? []
      : values.workers.split(',').map((count) => int('workers', count.trim(), 16));
  // Worker processes share the project: PostgreSQL, as a scale-out deployment would.
  const database = values.database ?? (workers.length > 0 ? 'postgres' : 'sqlite');
  if (database !== 'sqlite' && database !== 'postgres')
    throw new Error(`--database must be sqlite or postgres, got ${database}`);
  if (values.order !== 'bare-first' && values.order !== 'minke-first')
    throw new Error(`--order must be bare-first or minke-first, got ${values.order}`);
  const sideNames = ['both', 'all', 'bare', 'transport', 'minke', 'cli'] as const;
  const side = sideNames.find((name) => name === values.side);
  if (!side) throw new Error(`--side must be one of ${sideNames.join(', ')}, got ${values.side}`);
  if (side === 'cli' && database !== 'sqlite')
    throw new Error('--side cli runs on the SQLite project folder only (the default database)');
  return {
    hosts: int('hosts', values.hosts, 10_000),
    ports: int('ports', values.ports, 64),
    concurrency: int('concurrency', values.concurrency, 4_096),
    database,
    rounds: int('rounds', values.rounds, 20),
    order: values.order,
    side,
    shellRc: values['shell-rc'],
    knownHosts:
      values['known-hosts'] === '0' ? 0 : int('known-hosts', values['known-hosts'], 100_000),
    workers,
    cpuProfileDir: values['cpu-prof'],
  };
}

export async function benchFanout(args: string[]): Promise<void> {
  const options = parseOptions(args);
  const cleanup = new Cleanup();
  const interrupted = () => {
    console.error('interrupted: stopping sshd and removing temporary files');
    void cleanup.run().finally(() => process.exit(130));
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  try {
    await bench(options, cleanup);
  } finally {
    await cleanup.run();
    process.removeListener('SIGINT', interrupted);
    process.removeListener('SIGTERM', interrupted);
  }
}

async function bench(options: FanoutOptions, cleanup: Cleanup): Promise<void> {
  const { hosts, concurrency } = options;
  const dir = await mkdtemp(join(tmpdir(), 'minke-bench-fanout-'));
  cleanup.add(() => rm(dir, { recursive: true, force: true }));
  // MaxStartups counts connections not yet authenticated; each side has at most `concurrency`
  // of those at once per process (W workers: W times that), so this never drops one.
  const sshd = await startBenchSshd({
    ports: options.ports,
    maxStartups: Math.max(100, concurrency * Math.max(2, ...options.workers)),
    shellRc: options.shellRc,
    otherKnownHosts: options.knownHosts,
  });
  cleanup.add(() => sshd.stop());
  const targets = targetsFor(sshd, hosts);

  const setupStart = performance.now();
  const opened = await openBenchProject(options.database, dir, concurrency);
  cleanup.add(() => opened.dispose());
  const { project } = opened;
  await addHosts(project, targets, {
    user: sshd.user,
    identityFile: sshd.clientKeyPath,
    knownHostsFile: sshd.knownHostsFile,
    connectTimeoutMs,
    commandTimeoutMs,
  });
  if (options.database === 'sqlite') await writeCliProject(dir, concurrency);
  printHeader(options, sshd, (performance.now() - setupStart) / 1000);

  const sides: Record<DirectSide, () => Promise<Omit<SideResult, 'round'>>> = {
    bare: bareSide(sshd, targets, concurrency, await readFile(sshd.clientKeyPath)),
    transport: transportSide(sshd, targets, concurrency),
    minke: () =>
      measureSide('minke', hosts, sshd.pid, async () => {
        const outcome = await runMinke(project, 60_000 + 100 * hosts);
        const failures = outcome.summary.all - outcome.summary.success;
        return { failures, failureLines: [], minke: outcome };
      }),
    cli: cliSide(dir, sshd, hosts, project, options.cpuProfileDir),
  };
  const results: SideResult[] = [];
  for (let round = 1; round <= options.rounds; round++) {
    for (const name of sideOrder(options, round)) results.push({ ...(await sides[name]()), round });
    for (const workers of options.workers) {
      const queued = queuedSide(opened, sshd, options, workers, cleanup);
      results.push({ ...(await queued()), round });
    }
  }

  // Failure messages are read from the history after the measurement, so as not to count it.
  for (const result of results) {
    const runId = result.minke?.runId ?? result.cliRunId;
    if (runId !== undefined && result.failures > 0 && result.failureLines.length === 0) {
      const counts = await failureMessages(project, runId);
      result.failureLines = [...counts].map(([text, n]) => `${n}× ${text}`);
    }
  }
  printResults(options, results);
}

/** The sides of one round. The order alternates, so that no side always runs in the warmer
 * process (the first side also pays for compiling ssh2's code). */
function sideOrder(options: FanoutOptions, round: number): DirectSide[] {
  const forward = (options.order === 'bare-first') === (round % 2 === 1);
  const sides: DirectSide[] =
    options.side === 'both'
      ? ['bare', 'cli']
      : options.side === 'all'
        ? ['bare', 'transport', 'minke', 'cli']
        : [options.side];
  // The CLI reads the project folder's SQLite file; a PostgreSQL bench schema has no folder.
  const runnable = sides.filter((side) => side !== 'cli' || options.database === 'sqlite');
  return forward ? runnable : runnable.reverse();
}

/** N targets on the sshd's address, spread round-robin over its ports (the backlog of each
 * listening socket is 128, so one port would make a burst of connections wait for SYN retries). */
function targetsFor(sshd: BenchSshd, hosts: number): FanoutTarget[] {
  return Array.from({ length: hosts }, (_, i) => ({
    name: `h-${String(i + 1).padStart(4, '0')}`,
    host: sshd.host,
    port: sshd.ports[i % sshd.ports.length] as number,
  }));
}

function bareSide(
  sshd: BenchSshd,
  targets: FanoutTarget[],
  concurrency: number,
  privateKey: Buffer,
): () => Promise<Omit<SideResult, 'round'>> {
  return () =>
    measureSide('bare', targets.length, sshd.pid, async () => {
      const outcome = await runBare(targets, {
        user: sshd.user,
        privateKey,
        hostKey: sshd.hostKey,
        concurrency,
        command,
        hostTimeoutMs: connectTimeoutMs + commandTimeoutMs,
      });
      return {
        failures: outcome.failures.length,
        failureLines: countLines(outcome.failures.map((f) => f.message)),
      };
    });
}

/**
 * The built CLI in a child process: its own CPU and peak RSS (reported at its exit) replace this
 * process's in the row; the wall time runs from the spawn to the exit.
 */
function cliSide(
  dir: string,
  sshd: BenchSshd,
  hosts: number,
  project: MinkeProject['project'],
  cpuProfileDir: string | undefined,
): () => Promise<Omit<SideResult, 'round'>> {
  return async () => {
    const side = await measureSide('cli', hosts, sshd.pid, async () => {
      const outcome = await runCli(dir, 60_000 + 100 * hosts, cpuProfileDir);
      const failures = hosts - (outcome.successes ?? 0);
      const failureLines =
        outcome.successes === undefined
          ? [`exit ${outcome.exitCode}, no summary line: ${outcome.stderr.slice(0, 300)}`]
          : [];
      // The reasons are read from the history below, after every side has run.
      const runId = await latestRunId(project);
      return { failures, failureLines, cli: outcome, ...(runId ? { cliRunId: runId } : {}) };
    });
    const child = side.cli;
    if (!child) return side;
    return {
      ...side,
      figures: {
        ...side.figures,
        wallMs: child.wallMs,
        cpuMs: child.cpuMs,
        peakRssBytes: child.maxRssBytes,
        rssGrowthBytes: child.maxRssBytes,
      },
    };
  };
}

function transportSide(
  sshd: BenchSshd,
  targets: FanoutTarget[],
  concurrency: number,
): () => Promise<Omit<SideResult, 'round'>> {
  return () =>
    measureSide('transport', targets.length, sshd.pid, async () => {
      const outcome = await runTransport(targets, {
        user: sshd.user,
        identityFile: sshd.clientKeyPath,
        knownHostsFile: sshd.knownHostsFile,
        concurrency,
        command,
        connectTimeoutMs,
        commandTimeoutMs,
      });
      return {
        failures: outcome.failures.length,
        failureLines: countLines(outcome.failures.map((f) => f.message)),
      };
    });
}

/**
 * The BullMQ row: starts `workers` worker processes (not timed), times the run from startRun to
 * run.finished, stops the workers (which closes their pooled connections) and then waits for
 * sshd to reap them, so the sshd figure is whole.
 */
function queuedSide(
  opened: MinkeProject,
  sshd: BenchSshd,
  { hosts, concurrency }: FanoutOptions,
  workers: number,
  cleanup: Cleanup,
): () => Promise<Omit<SideResult, 'round'>> {
  return async () => {
    const started = await startBenchWorkers(workers, { database: opened.location, concurrency });
    cleanup.add(() => started.dispose());
    const pids = started.workers.map((worker) => worker.pid);
    const workersCpu = () => sumOrUndefined(pids.map((pid) => processTreeCpuMs(pid)));
    const serverBefore = processTreeCpuMs(sshd.pid);
    const cpuBefore = workersCpu();
    const { result: outcome, figures } = await measurePhase(() =>
      runQueued(opened.project, started.prefix, 60_000 + 100 * hosts),
    );
    const cpuAfter = workersCpu();
    const perWorker = await Promise.all(started.workers.map((worker) => worker.stop()));
    await started.dispose();
    await waitForServerQuiet(sshd.pid);
    const serverAfter = processTreeCpuMs(sshd.pid);
    return {
      side: 'queued',
      workers,
      perWorker,
      workerCpuMs:
        cpuBefore === undefined || cpuAfter === undefined ? undefined : cpuAfter - cpuBefore,
      figures,
      serverCpuMsPerHost:
        serverBefore === undefined || serverAfter === undefined
          ? undefined
          : (serverAfter - serverBefore) / hosts,
      failures: outcome.summary.all - outcome.summary.success,
      failureLines: [],
      minke: outcome,
    };
  };
}

function sumOrUndefined(values: (number | undefined)[]): number | undefined {
  let sum = 0;
  for (const value of values) {
    if (value === undefined) return undefined;
    sum += value;
  }
  return sum;
}

/** Measures one side, then waits for sshd to reap that side's connections before the next. */
async function measureSide(
  side: SideResult['side'],
  hosts: number,
  pid: number | undefined,
  work: () => Promise<{
    failures: number;
    failureLines: string[];
    minke?: MinkeOutcome;
    cli?: CliOutcome;
    cliRunId?: number;
  }>,
): Promise<Omit<SideResult, 'round'>> {
  const serverBefore = processTreeCpuMs(pid);
  const { result, figures } = await measurePhase(work);
  await waitForServerQuiet(pid);
  const serverAfter = processTreeCpuMs(pid);
  const serverCpuMsPerHost =
    serverBefore === undefined || serverAfter === undefined
      ? undefined
      : (serverAfter - serverBefore) / hosts;
  return { side, figures, serverCpuMsPerHost, ...result };
}

/** The newest run in the project: the one the CLI just made. */
async function latestRunId(project: MinkeProject['project']): Promise<number | undefined> {
  const row = await project.database.tables
    .selectFrom('minke_runs')
    .select('id')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row?.id;
}

/** Things to stop, newest first; run once, on success, failure or Ctrl-C. */
class Cleanup {
  private readonly steps: (() => Promise<void>)[] = [];
  private done: Promise<void> | undefined;

  add(step: () => Promise<void>): void {
    this.steps.unshift(step);
  }

  run(): Promise<void> {
    this.done ??= (async () => {
      for (const step of this.steps) {
        await withTimeout(step(), cleanupTimeoutMs).catch((error: unknown) =>
          console.error(`cleanup: ${(error as Error).message}`),
        );
      }
    })();
    return this.done;
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`gave up after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
