// What the agents benches share (agents.ts, agents-shared.ts): enrolling a fleet, talking to the
// agent processes (agents-worker.ts), polling the database for progress.
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { loadavg } from 'node:os';
import { hash } from '@node-rs/argon2';
import { generateAgentPassword, hashAgentPassword } from '../src/facts/credentials.js';
import { dispatch } from '../src/facts/dispatch.js';
import type { ServerSigningKey } from '../src/facts/signing-key.js';
import type { OpenedProject } from '../src/runtime/open-project.js';
import type { FromWorker, ToWorker } from './agents-worker.js';

const minkeBin = fileURLToPath(new URL('../bin/minke.js', import.meta.url));

/** Stores N agents' credentials at once (enrolment itself is measured elsewhere). */
export async function enrolAll(
  project: OpenedProject,
  count: number,
  legacy: boolean | undefined,
): Promise<[string, string][]> {
  const credentials: [string, string][] = Array.from({ length: count }, (_, i) => [
    `node-${String(i).padStart(6, '0')}`,
    generateAgentPassword(),
  ]);
  const now = project.database.adapter.encodeDate(new Date());
  for (let i = 0; i < count; i += 500) {
    const rows = await Promise.all(
      credentials.slice(i, i + 500).map(async ([node, password]) => ({
        node,
        enrolled_at: now,
        credential_hash: legacy
          ? await hash(password, { memoryCost: 4096, timeCost: 1, parallelism: 1 })
          : hashAgentPassword(password),
      })),
    );
    await project.database.db.insertInto('minke_agents').values(rows).execute();
  }
  return credentials;
}

export function workerOptions() {
  return {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'] as ('ignore' | 'inherit' | 'ipc')[],
  };
}

/** `minke start` from the built CLI; resolves once it serves. */
export async function startServer(
  dir: string,
  profileDir: string | undefined,
): Promise<ChildProcess> {
  const profile = profileDir ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : [];
  const child = spawn(process.execPath, [...profile, minkeBin, '--project', dir, 'start'], {
    cwd: dir,
    env: { ...process.env, NO_COLOR: '1', MINKE_DATABASE_URL: undefined },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // Its log (a line per connection at info level) is kept only as far as an error needs it.
  let log = '';
  child.stderr?.on('data', (chunk: Buffer) => (log = (log + chunk.toString()).slice(-4000)));
  let output = '';
  await new Promise<void>((done, fail) => {
    const timer = setTimeout(() => fail(new Error(`minke start: not up: ${output}`)), 120_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      if (output.length < 100_000) output += chunk.toString();
      if (output.includes('press Ctrl-C to stop')) {
        clearTimeout(timer);
        done();
      }
    });
    child.once('exit', (code) => fail(new Error(`minke start exited (${code}): ${output}${log}`)));
  });
  child.stdout?.resume();
  return child;
}

export async function stopServer(server: ChildProcess): Promise<void> {
  server.kill('SIGTERM');
  await exited(server, 30_000);
}

/** When every worker last said all its agents are connected, after `since`. */
const workerScript = fileURLToPath(new URL('./agents-worker.ts', import.meta.url));

/** What every agent process is started with, besides its share of the credentials. */
export type AgentStart = Omit<Extract<ToWorker, { type: 'start' }>, 'type' | 'credentials'>;

/**
 * Forks `processes` agent processes into `workers` and, once each has loaded, starts them all at
 * once, the credentials dealt round-robin. Returns when they were started and the moment every
 * agent is connected.
 */
export async function launchAgents(
  workers: ChildProcess[],
  processes: number,
  credentials: [string, string][],
  start: AgentStart,
): Promise<{ connectStart: number; allIn: Promise<number> }> {
  for (let i = 0; i < processes; i++) workers.push(fork(workerScript, [], workerOptions()));
  await Promise.all(workers.map((worker) => next(worker, 'loaded', 60_000)));
  const connectStart = Date.now();
  const allIn = allConnected(workers, connectStart, 300_000);
  workers.forEach((worker, i) =>
    worker.send({
      type: 'start',
      ...start,
      credentials: credentials.filter((_, n) => n % processes === i),
    } satisfies ToWorker),
  );
  return { connectStart, allIn };
}

export function allConnected(
  workers: ChildProcess[],
  since: number,
  timeoutMs: number,
): Promise<number> {
  return Promise.all(
    workers.map((worker) => next(worker, 'all-connected', timeoutMs, (m) => m.at >= since)),
  ).then((messages) => Math.max(...messages.map((m) => m.at)));
}

export async function stats(workers: ChildProcess[]) {
  const all = await Promise.all(
    workers.map((worker) => {
      const reply = next(worker, 'stats', 30_000);
      worker.send({ type: 'stats' } satisfies ToWorker);
      return reply;
    }),
  );
  const sum = (pick: (s: (typeof all)[number]) => number) => all.reduce((n, s) => n + pick(s), 0);
  return {
    answered: sum((s) => s.answered),
    acked: sum((s) => s.acked),
    rssMb: sum((s) => s.rssMb),
  };
}

/** Answered targets of a request: one count, not the whole status (it polls every 25 ms). */
export async function answeredCount(project: OpenedProject, requestId: string): Promise<number> {
  const row = await project.database.db
    .selectFrom('minke_agent_request_targets')
    .select((eb) => eb.fn.countAll().as('n'))
    .where('request_id', '=', requestId)
    .where('state', '=', 'answered')
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/**
 * One broadcast of the `facts` plugin, made as `minke dispatch --all` makes it, timed until all
 * `count` answers are stored; prints the time and the rate, returns the request's id.
 */
export async function timeBroadcast(
  project: OpenedProject,
  signingKey: ServerSigningKey,
  count: number,
): Promise<string> {
  const broadcastAt = Date.now();
  const request = await dispatch({ project, signingKey }, { plugin: 'facts', all: true });
  await until(async () => (await answeredCount(project, request.id)) >= count, 300_000);
  const storedMs = Date.now() - broadcastAt;
  console.log(`broadcast -> every result stored: ${storedMs} ms (${count} agents)`);
  console.log(`results per second:             ${Math.round(count / (storedMs / 1000))}`);
  return request.id;
}

export async function onlineCount(project: OpenedProject): Promise<number> {
  const row = await project.database.db
    .selectFrom('minke_agents')
    .select((eb) => eb.fn.countAll().as('n'))
    .where('online', '=', project.database.adapter.encodeBool(true))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export function next<T extends FromWorker['type']>(
  child: ChildProcess,
  type: T,
  timeoutMs: number,
  accept: (message: Extract<FromWorker, { type: T }>) => boolean = () => true,
): Promise<Extract<FromWorker, { type: T }>> {
  type Wanted = Extract<FromWorker, { type: T }>;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => done(new Error(`no ${type} from an agent process in ${timeoutMs} ms`)),
      timeoutMs,
    );
    const onMessage = (message: FromWorker) => {
      if (message.type === 'error') done(new Error(`agent process: ${message.message}`));
      else if (message.type === type && accept(message as Wanted))
        done(undefined, message as Wanted);
    };
    const onExit = (code: number | null) => done(new Error(`an agent process exited (${code})`));
    function done(error?: Error, message?: Wanted) {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
      if (error) reject(error);
      else resolve(message as Wanted);
    }
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}

export async function exited(child: ChildProcess, timeoutMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise<void>((done) => child.once('exit', () => done()));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  await gone;
  clearTimeout(timer);
}

/** Polls `check` (bounded by `timeoutMs`); resolves with the time it took. */
export async function until(check: () => Promise<boolean>, timeoutMs: number): Promise<number> {
  const start = Date.now();
  while (!(await check())) {
    if (Date.now() - start > timeoutMs) throw new Error(`gave up after ${timeoutMs} ms`);
    await new Promise((done) => setTimeout(done, 25));
  }
  return Date.now() - start;
}

/** The 1, 5 and 15 minute load averages: the figures mean little on a busy machine. */
export function loadAverage(): string {
  return loadavg()
    .map((load) => load.toFixed(2))
    .join(', ');
}
