// npm run bench -- api [--hosts N] [--records N] [--runs N] [--history N] [--requests N]
//                      [--run-hosts N] [--clients N] [--poll-rate N] [--database sqlite|postgres]
//                      [--transport ssh|local] [--ssh-ports N] [--skip-lists] [--skip-live]
//                      [--executor in-process|thread|bullmq] [--workers N] [--keep-schema]
//                      [--sshd-nice N]
//
// The REST API at size, over real HTTP on 127.0.0.1, as a regular user with a bearer token:
// 1. seeding (api-seed.ts): N hosts with an agent and two facts each, in 20 rack groups (the
//    first --run-hosts of them, in the group `bench-run`, on an OpenSSH server on loopback with
//    --ssh-ports ports, or on the local transport); --records model
//    records (a Server per host, Services for the rest); --runs finished runs holding --history
//    session records. Bulk inserts in one transaction per part.
// 2. lists (api-lists.ts): every list endpoint and filter (through refs, through facts, search,
//    lastStatus, hosts, fact search, runs, history) --requests times one at a time: median, p95,
//    max.
// 3. live run (api-live-run.ts): event latency of one host printing every 100 ms on an idle
//    server, then a run on the --run-hosts hosts, each printing its time five times, while an SSE
//    client times every event and --clients pollers (autocannon, --poll-rate requests a second
//    each) poll lists and the run: latency percentiles, the pollers' max.
// SQLite file by default; --database postgres uses a new schema on the test PostgreSQL, dropped
// at the end. --executor bullmq (PostgreSQL only) queues the runs on the test Redis and runs them
// in --workers processes of their own (api-workers.ts), as `minke serve` and `minke worker`s do:
// the server only serves the API and the event stream. --executor thread runs the sessions in a
// worker thread of the bench's process, as `minke start` does (api-session-thread.ts). The live
// run prints how busy the server's main event loop was. --sshd-nice 19 runs the hosts' sshd (and
// what it forks) at that niceness, in a CPU cgroup of that weight where it can (cpu-weight.ts):
// on 2 cores a thousand sshd processes otherwise take the CPU the server would have, where a real
// fleet's hosts spend their own. MINKE_EXECUTOR_THREAD_NICE sets
// the session thread's niceness (default 10) to compare. Figures only; nothing asserted.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { sql, type Kysely } from 'kysely';
import { POSTGRES_URL } from '../test-support/databases.js';
import { dropSchema } from '../test-support/postgres-schemas.js';
import { ApiTokenStore } from '../src/auth/api-token-store.js';
import { silentLogger } from '../src/logger.js';
import { openProject } from '../src/runtime/open-project.js';
import { createRuntime } from '../src/runtime/runtime.js';
import { buildServer } from '../src/server/build-server.js';
import { listCases, timeLists } from './api-lists.js';
import { FLEET_RUN, liveRun } from './api-live-run.js';
import { apiBenchConfig, type ApiBenchSetup } from './api-config.js';
import { startApiWorkers, type ApiWorkers } from './api-workers.js';
import { deleteRedisPrefix, REDIS_URL } from '../test-support/redis.js';
import { loadLine, machineLine } from './api-report.js';
import { eventLagCounts, lagLine } from './api-event-lag.js';
import { requestCounts, requestLines, watchLoopDelay } from './api-request-times.js';
import {
  hostName,
  seedFleet,
  seedHistory,
  type RunHostConnection,
  type SeedSizes,
} from './api-seed.js';
import { startBenchSshd, type BenchSshd } from './fanout-sshd.js';

export async function benchApi(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      hosts: { type: 'string', default: '10000' },
      records: { type: 'string', default: '100000' },
      runs: { type: 'string', default: '1000' },
      history: { type: 'string', default: '100000' },
      requests: { type: 'string', default: '200' },
      'run-hosts': { type: 'string', default: '1000' },
      clients: { type: 'string', default: '50' },
      'poll-rate': { type: 'string', default: '1' },
      database: { type: 'string', default: 'sqlite' },
      transport: { type: 'string', default: 'ssh' },
      'ssh-ports': { type: 'string', default: '8' },
      'skip-lists': { type: 'boolean', default: false },
      'skip-live': { type: 'boolean', default: false },
      executor: { type: 'string', default: 'in-process' },
      workers: { type: 'string', default: '2' },
      'keep-schema': { type: 'boolean', default: false },
      'sshd-nice': { type: 'string', default: '0' },
    },
  });
  const sizes: SeedSizes = {
    hosts: Number(values.hosts),
    records: Number(values.records),
    runHosts: Math.min(Number(values['run-hosts']), Number(values.hosts)),
    runs: Number(values.runs),
    history: Number(values.history),
  };
  if (values.database !== 'sqlite' && values.database !== 'postgres')
    throw new Error(`--database must be sqlite or postgres, got ${values.database}`);
  const postgres = values.database === 'postgres';
  if (values.transport !== 'ssh' && values.transport !== 'local')
    throw new Error(`--transport must be ssh or local, got ${values.transport}`);
  if (!['in-process', 'thread', 'bullmq'].includes(values.executor))
    throw new Error(`--executor must be in-process, thread or bullmq, got ${values.executor}`);
  const queued = values.executor === 'bullmq';
  const threaded = values.executor === 'thread';
  // Workers share the project's database with the server: not one SQLite file across processes.
  if (queued && !postgres) throw new Error('--executor bullmq needs --database postgres');
  console.log(machineLine());
  // The run hosts on an OpenSSH server on loopback, as a fleet is reached; `local` spawns a shell
  // per host in the server's own process, which is the local transport's cost, not the API's.
  const sshd =
    values.transport === 'ssh' && !values['skip-live']
      ? await startBenchSshd({
          ports: Number(values['ssh-ports']),
          maxStartups: sizes.runHosts + 100,
          shellRc: false,
          otherKnownHosts: 0,
          nice: Number(values['sshd-nice']),
        })
      : undefined;
  const dir = mkdtempSync(join(tmpdir(), 'minke-bench-api-'));
  const schema = postgres ? `bench_api_${randomBytes(6).toString('hex')}` : undefined;
  const setup: ApiBenchSetup = {
    database: postgres ? POSTGRES_URL : `sqlite:${join(dir, 'bench.db')}`,
    projectDir: dir,
    // Every run host at once, as a fleet-wide run goes (split among the workers when queued).
    maxParallelHosts: Math.max(256, sizes.runHosts),
    queue: queued
      ? { redisUrl: REDIS_URL, prefix: `minke-bench-api-${randomBytes(5).toString('hex')}` }
      : undefined,
  };
  const config = apiBenchConfig(setup);
  const project = await openProject(config, { migrate: true, ...(schema ? { schema } : {}) });
  // With the BullMQ executor this process queues runs and serves; the workers run them.
  const runtime = createRuntime(project, {
    quiet: true,
    ...(queued ? { role: 'server' } : {}),
    ...(threaded
      ? {
          sessionThread: {
            entry: { code: sessionThreadCode() },
            workerData: { setup, schema },
          },
        }
      : {}),
  });
  let workers: ApiWorkers | undefined;
  const app = await buildServer({ project, runtime, logger: silentLogger, webRoot: null });
  try {
    const started = performance.now();
    const reader = await project.users.create({ username: 'reader', password: 'bench password' });
    await project.permissions.grant(reader.id, [
      'view_service',
      'view_server',
      'view_host',
      'run_fleet_ticks',
      'run_sparse_ticks',
      // the run hosts' connection names the bench's key and known_hosts files
      ...(sshd ? ['manage_connections'] : []),
    ]);
    const hostIds = await seedFleet(project, sizes, sshd ? sshConnection(sshd) : undefined);
    await seedHistory(project, sizes, reader.id, hostIds);
    console.log(
      `${values.database}: seeded ${sizes.hosts} hosts (agents, 2 facts each), ${sizes.records} model records, ${sizes.runs} runs with ${sizes.history} session records in ${((performance.now() - started) / 1000).toFixed(1)} s`,
    );
    // What autovacuum does soon after a bulk load (statistics, and the visibility map that lets
    // a count read an index alone); SQLite has no statistics unless asked.
    if (postgres) await vacuumAnalyze(project.database.db);
    const { token } = await new ApiTokenStore(project.database).create({
      userId: reader.id,
      name: 'bench',
    });
    const headers = { authorization: `Bearer ${token}` };
    const base = await app.listen({ host: '127.0.0.1', port: 0 });

    if (!values['skip-lists']) {
      console.log(`\nlists, ${values.requests} requests each, one at a time; ${loadLine()}`);
      await timeLists(base, headers, listCases(sizes.hosts), Number(values.requests));
      console.log(`(lists done; ${loadLine()})`);
    }
    if (!values['skip-live'] && schema && setup.queue) {
      workers = await startApiWorkers(
        Number(values.workers),
        { setup, schema },
        Math.max(256, sizes.runHosts),
      );
      console.log(
        `\nexecutor: BullMQ on Redis, ${workers.count} worker processes, ${Math.ceil(Math.max(256, sizes.runHosts) / workers.count)} hosts at once each`,
      );
    }
    if (!values['skip-live']) {
      console.log(`\nevent latency on an idle server (one host, a line every 100 ms):`);
      await liveRun({
        base,
        token,
        run: { session: 'SparseTicks', model: 'Host', ids: [hostName(0)] },
        runHosts: 1,
        pollers: 0,
        pollRate: 0,
      });
      console.log(`\nthe live run${sshd?.yielding ? ` (the hosts' sshd: ${sshd.yielding})` : ''}:`);
      const cpu = process.cpuUsage();
      const wall = performance.now();
      const loop = performance.eventLoopUtilization();
      const lagBefore = await eventLagCounts();
      const requestsBefore = await requestCounts();
      const loopDelay = watchLoopDelay();
      await liveRun({
        base,
        token,
        run: FLEET_RUN,
        runHosts: sizes.runHosts,
        pollers: Number(values.clients),
        pollRate: Number(values['poll-rate']),
      });
      // Whether the server was short of time or of CPU: on a shared machine, slow answers with
      // a server mostly idle are the other processes' turns on the cores.
      const used = process.cpuUsage(cpu);
      const busy = performance.eventLoopUtilization(loop).utilization;
      console.log(
        `  server process: ${((used.user + used.system) / 1e6).toFixed(1)} s CPU (all threads) in ${((performance.now() - wall) / 1000).toFixed(1)} s; main event loop busy ${(busy * 100).toFixed(0)}%`,
      );
      console.log(
        `  server: event created → written to the stream: ${lagLine(lagBefore, await eventLagCounts())}`,
      );
      console.log(`  server: main event loop delay ${loopDelay.stop()}`);
      for (const line of requestLines(requestsBefore, await requestCounts()))
        console.log(`  server: ${line}`);
    }
  } finally {
    await workers?.stop();
    await app.close();
    await runtime.close();
    await project.close();
    rmSync(dir, { recursive: true, force: true });
    // --keep-schema leaves the seeded PostgreSQL schema for EXPLAIN ANALYZE by hand (drop it after).
    if (schema && values['keep-schema']) process.stdout.write(`kept schema ${schema}\n`);
    else if (schema) await dropSchema(schema);
    if (setup.queue) await deleteRedisPrefix(setup.queue.redisUrl, setup.queue.prefix);
    await sshd?.stop();
  }
}

/** The bench's session thread (TypeScript): worker threads do not inherit tsx, so it is registered. */
function sessionThreadCode(): string {
  const entry = new URL('./api-session-thread.ts', import.meta.url).href;
  return `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(entry)}); })`;
}

/** VACUUM (ANALYZE) of the bench schema's tables (not the whole database, which others share). */
async function vacuumAnalyze(db: Kysely<unknown>): Promise<void> {
  const tables = await sql<{ tablename: string }>`
    SELECT tablename FROM pg_tables WHERE schemaname = current_schema()`.execute(db);
  for (const { tablename } of tables.rows)
    await sql`VACUUM (ANALYZE) ${sql.table(tablename)}`.execute(db);
}

/** Run host i on one of the server's ports, with the bench's key and known_hosts only. */
function sshConnection(sshd: BenchSshd): (i: number) => RunHostConnection {
  return (i) => ({
    hostname: sshd.host,
    port: sshd.ports[i % sshd.ports.length] as number,
    user: sshd.user,
    config: {
      identityFiles: [sshd.clientKeyPath],
      knownHostsFiles: [sshd.knownHostsFile],
      sshConfigFile: false,
      agent: false,
      connectTimeoutMs: 60_000,
      commandTimeoutMs: 120_000,
    },
  });
}
