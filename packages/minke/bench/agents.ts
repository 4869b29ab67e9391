// npm run bench -- agents [--agents N] [--processes P] [--legacy-hashes] [--cpu-prof DIR]
//
// N simulated agents, spread over P processes (agents-worker.ts), each a real MQTT connection to
// the embedded broker of one `minke start` (the built CLI, on a project folder as a user makes
// it). Figures: every agent connected from cold; a reconnect storm (the server process stopped
// and started again, so the whole fleet comes back at once); one broadcast until every result is
// stored; the server's RSS. `--legacy-hashes` stores argon2id hashes as agents enrolled before
// the fast hash had (the cold connect then upgrades them); `--cpu-prof DIR` profiles both
// server processes. Figures only; nothing asserted.
import { spawn, fork, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { hash } from '@node-rs/argon2';
import { resolveConfig } from '../src/config/resolve-config.js';
import { generateAgentPassword, hashAgentPassword } from '../src/facts/credentials.js';
import { dispatch } from '../src/facts/dispatch.js';
import { loadSigningKey } from '../src/facts/signing-key.js';
import { openProject, type OpenedProject } from '../src/runtime/open-project.js';
import { freePort } from '../test-support/redis.js';
import type { FromWorker, ToWorker } from './agents-worker.js';

const workerScript = fileURLToPath(new URL('./agents-worker.ts', import.meta.url));
const minkeBin = fileURLToPath(new URL('../bin/minke.js', import.meta.url));

export async function benchAgents(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      agents: { type: 'string', default: '10000' },
      processes: { type: 'string', default: '4' },
      'connect-concurrency': { type: 'string', default: '200' },
      'legacy-hashes': { type: 'boolean', default: false },
      'cpu-prof': { type: 'string' },
    },
  });
  const count = Number(values.agents);
  const processes = Number(values.processes);
  const concurrency = Number(values['connect-concurrency']);
  if (!Number.isInteger(count) || count < 1 || count > 100_000)
    throw new Error('--agents N: 1 to 100000');
  if (!Number.isInteger(processes) || processes < 1 || processes > 64)
    throw new Error('--processes P: 1 to 64');
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new Error('--connect-concurrency C');
  console.log(
    `machine: ${cpus().length} cores, ${cpus()[0]?.model ?? '?'}, Node ${process.version}, ` +
      `load average ${loadAverage()}`,
  );
  console.log(`${count} agents in ${processes} processes (fd limit per process: see ulimit -n)`);

  const dir = await mkdtemp(join(tmpdir(), 'minke-bench-agents-'));
  const [webPort, mqttPort] = [await freePort(), await freePort()];
  const config = {
    database: 'sqlite:agents.db',
    server: { port: webPort },
    mqtt: { port: mqttPort },
  };
  await writeFile(join(dir, 'package.json'), '{ "type": "module", "private": true }\n');
  await writeFile(join(dir, 'minke.config.ts'), `export default ${JSON.stringify(config)};\n`);
  const project = await openProject(
    resolveConfig(config, { projectDir: dir, configFile: join(dir, 'minke.config.ts') }, {}),
    { migrate: true },
  );
  const workers: ChildProcess[] = [];
  let server: ChildProcess | undefined;
  try {
    const enrolStart = Date.now();
    const credentials = await enrolAll(project, count, values['legacy-hashes']);
    const hashKind = values['legacy-hashes'] ? 'argon2id, as before' : 'SHA-256';
    console.log(`enrolled ${count} agents in ${Date.now() - enrolStart} ms (${hashKind})`);
    const signingKey = await loadSigningKey(project.database, project.config.agents.signingKeyFile);
    const profileDir = values['cpu-prof'] === undefined ? undefined : resolve(values['cpu-prof']);
    server = await startServer(dir, profileDir);
    const brokerUrl = `mqtt://127.0.0.1:${mqttPort}`;

    // From cold: the server is up, every agent starts now.
    for (let i = 0; i < processes; i++) workers.push(fork(workerScript, [], workerOptions()));
    await Promise.all(workers.map((worker) => next(worker, 'loaded', 60_000)));
    const connectStart = Date.now();
    const allIn = allConnected(workers, connectStart, 300_000);
    workers.forEach((worker, i) =>
      worker.send({
        type: 'start',
        brokerUrl,
        publicKey: signingKey.publicKeyBase64,
        credentials: credentials.filter((_, n) => n % processes === i),
        concurrency,
      } satisfies ToWorker),
    );
    console.log(`connected from cold:            ${(await allIn) - connectStart} ms`);
    const onlineMs = await until(() => onlineCount(project).then((n) => n >= count), 300_000);
    console.log(`  ... and all online in the database ${onlineMs} ms later`);
    console.log(`server RSS, ${count} connected:  ${rssMb(server)} MB`);

    // The reconnect storm: the server (and its embedded broker) goes away and comes back.
    await stopServer(server);
    const restartAt = Date.now();
    const back = allConnected(workers, restartAt, 300_000);
    back.catch(() => undefined); // awaited below; a failed restart must show its own error
    server = await startServer(dir, profileDir);
    const upAt = Date.now();
    const backAt = await back;
    console.log(
      `reconnect storm after restart:  ${backAt - upAt} ms after the server was up ` +
        `(${upAt - restartAt} ms to start it)`,
    );
    const online2Ms = await until(() => onlineCount(project).then((n) => n >= count), 300_000);
    console.log(`  ... and all online in the database ${online2Ms} ms later`);

    // One broadcast, made from another process as `minke dispatch` makes it.
    const broadcastAt = Date.now();
    const request = await dispatch({ project, signingKey }, { plugin: 'facts', all: true });
    await until(async () => (await answeredCount(project, request.id)) >= count, 300_000);
    const storedMs = Date.now() - broadcastAt;
    console.log(`broadcast -> every result stored: ${storedMs} ms (${count} agents)`);
    console.log(`results per second:             ${Math.round(count / (storedMs / 1000))}`);
    await until(async () => (await stats(workers)).acked >= count, 60_000).catch(() => undefined);
    const totals = await stats(workers);
    console.log(`answered ${totals.answered}, acknowledged back ${totals.acked}`);
    console.log(`server RSS after storing:       ${rssMb(server)} MB`);
    console.log(`agent processes RSS:            ${totals.rssMb} MB in all`);
    console.log(`load average at the end:        ${loadAverage()}`);
  } finally {
    for (const worker of workers) worker.send({ type: 'stop' } satisfies ToWorker);
    await Promise.all(workers.map((worker) => exited(worker, 15_000)));
    if (server) await stopServer(server);
    await project.close();
    await rm(dir, { recursive: true, force: true });
  }
}

/** Stores N agents' credentials at once (enrolment itself is measured elsewhere). */
async function enrolAll(
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

/** `minke start` from the built CLI; resolves once it serves. */
async function startServer(dir: string, profileDir: string | undefined): Promise<ChildProcess> {
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

async function stopServer(server: ChildProcess): Promise<void> {
  server.kill('SIGTERM');
  await exited(server, 30_000);
}

function workerOptions() {
  return {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'] as ('ignore' | 'inherit' | 'ipc')[],
  };
}

/** When every worker last said all its agents are connected, after `since`. */
function allConnected(workers: ChildProcess[], since: number, timeoutMs: number): Promise<number> {
  return Promise.all(
    workers.map((worker) => next(worker, 'all-connected', timeoutMs, (m) => m.at >= since)),
  ).then((messages) => Math.max(...messages.map((m) => m.at)));
}

async function stats(workers: ChildProcess[]) {
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
async function answeredCount(project: OpenedProject, requestId: string): Promise<number> {
  const row = await project.database.db
    .selectFrom('minke_agent_request_targets')
    .select((eb) => eb.fn.countAll().as('n'))
    .where('request_id', '=', requestId)
    .where('state', '=', 'answered')
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

async function onlineCount(project: OpenedProject): Promise<number> {
  const row = await project.database.db
    .selectFrom('minke_agents')
    .select((eb) => eb.fn.countAll().as('n'))
    .where('online', '=', project.database.adapter.encodeBool(true))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

function rssMb(child: ChildProcess): number {
  const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return Math.round(kb / 1024);
}

function next<T extends FromWorker['type']>(
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

async function exited(child: ChildProcess, timeoutMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise<void>((done) => child.once('exit', () => done()));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  await gone;
  clearTimeout(timer);
}

/** Polls `check` (bounded by `timeoutMs`); resolves with the time it took. */
async function until(check: () => Promise<boolean>, timeoutMs: number): Promise<number> {
  const start = Date.now();
  while (!(await check())) {
    if (Date.now() - start > timeoutMs) throw new Error(`gave up after ${timeoutMs} ms`);
    await new Promise((done) => setTimeout(done, 25));
  }
  return Date.now() - start;
}

/** The 1, 5 and 15 minute load averages: the figures mean little on a busy machine. */
function loadAverage(): string {
  return loadavg()
    .map((load) => load.toFixed(2))
    .join(', ');
}
