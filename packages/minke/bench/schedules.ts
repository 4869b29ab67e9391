// npm run bench -- schedules [--jobs N] [--ticks N]
//
// Saved jobs' schedules at size, on SQLite with the in-process executor: N jobs with a cron
// schedule each (spread over the hour), loaded by the embedded scheduler (one croner timer per
// schedule): time and heap for loading them and for reading them again; then the scheduler's
// own work per tick: a tick another server already fired (the claim only), and a tick that
// launches a run on one local host (claim, overlap check, startRun). Figures only.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { localOperator } from '../src/auth/run-user.js';
import { resolveConfig } from '../src/config/resolve-config.js';
import { credentialStoreOf } from '../src/credentials/credential-reader.js';
import { JobOperations } from '../src/jobs/job-operations.js';
import { JobStore } from '../src/jobs/job-store.js';
import { silentLogger } from '../src/logger.js';
import { openProject } from '../src/runtime/open-project.js';
import { createRuntime } from '../src/runtime/runtime.js';
import { EmbeddedScheduler } from '../src/schedules/embedded-scheduler.js';
import { fireTick } from '../src/schedules/fire-tick.js';
import { upcomingTicksOf } from '../src/schedules/upcoming.js';
import { Session } from '../src/session/session.js';

class Noop extends Session {
  static override workOn = ['Host'];
  override async process() {}
}

const ms = (t: number) => `${t.toFixed(2)} ms`;
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}
function heap(): number {
  (globalThis as { gc?: () => void }).gc?.();
  return process.memoryUsage().heapUsed;
}

export async function benchSchedules(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      jobs: { type: 'string', default: '1000' },
      ticks: { type: 'string', default: '50' },
    },
  });
  const count = Number(values.jobs);
  const tickCount = Number(values.ticks);
  const dir = mkdtempSync(join(tmpdir(), 'minke-bench-schedules-'));
  const config = resolveConfig(
    { database: `sqlite:${join(dir, 'bench.db')}`, sessions: [Noop] },
    { projectDir: dir, configFile: 'bench' },
    {},
  );
  const project = await openProject(config, { migrate: true });
  const runtime = createRuntime(project, { quiet: true });
  try {
    await project.hosts.add({ name: 'local', config: { transport: 'local' } });
    const jobs = new JobOperations({
      database: project.database,
      sessions: project.sessions,
      credentials: credentialStoreOf(project),
    });
    let started = performance.now();
    for (let i = 0; i < count; i++) {
      await jobs.create(
        localOperator,
        {
          name: `job-${String(i).padStart(5, '0')}`,
          session: 'Noop',
          selection: { kind: 'where', where: 'name = local' },
          schedule: { cron: `${i % 60} ${i % 24} * * *`, timezone: 'Europe/Berlin' },
        },
        'bench',
      );
    }
    const created = performance.now() - started;
    console.log(`saved ${count} scheduled jobs: ${ms(created)} (${ms(created / count)} each)`);

    const before = heap();
    const scheduler = new EmbeddedScheduler({ runtime, logger: silentLogger, reloadMs: 3600_000 });
    started = performance.now();
    await scheduler.start();
    const loaded = performance.now() - started;
    const after = heap();
    console.log(
      `scheduler loaded ${count} schedules: ${ms(loaded)}; heap +${mb(after - before)} (${((after - before) / count / 1024).toFixed(1)} KB per schedule)`,
    );
    const reloads: number[] = [];
    for (let i = 0; i < 5; i++) {
      started = performance.now();
      scheduler.reload();
      await (scheduler as unknown as { syncing: Promise<void> }).syncing;
      reloads.push(performance.now() - started);
    }
    console.log(
      `reading ${count} schedules again (no change): ${ms(Math.min(...reloads))} best of 5`,
    );
    started = performance.now();
    const upcoming = await upcomingTicksOf(project.database, 24);
    console.log(
      `what runs in the next 24 h (${upcoming.items.length} ticks listed): ${ms(performance.now() - started)}`,
    );
    await scheduler.close();

    const first = (await new JobStore(project.database).byName('job-00000')).id;
    const services = { runtime, logger: silentLogger };
    const base = Date.UTC(2031, 0, 1);
    const claims: number[] = [];
    for (let i = 0; i < tickCount; i++) {
      await fireTick(services, first, new Date(base + i * 60_000)); // launches (measured below)
      await runtime.executor.idle();
      started = performance.now();
      await fireTick(services, first, new Date(base + i * 60_000)); // a second server's copy
      claims.push(performance.now() - started);
    }
    const launches: number[] = [];
    for (let i = 0; i < tickCount; i++) {
      started = performance.now();
      await fireTick(services, first, new Date(base + (tickCount + i) * 60_000));
      launches.push(performance.now() - started);
      await runtime.executor.idle();
    }
    claims.sort((a, b) => a - b);
    launches.sort((a, b) => a - b);
    console.log(
      `a tick already fired elsewhere (claim lost): p50 ${ms(percentile(claims, 50))}, p95 ${ms(percentile(claims, 95))}`,
    );
    console.log(
      `a tick that launches a run on 1 host (claim, overlap check, startRun): p50 ${ms(percentile(launches, 50))}, p95 ${ms(percentile(launches, 95))}`,
    );
    console.log(`heap in use at the end: ${mb(process.memoryUsage().heapUsed)}`);
  } finally {
    await runtime.close();
    await project.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
