// The Minke side of the fan-out benchmark: a project with N host records and a one-command
// session, run the way the CLI and the API run it (startRun on a runtime), on SQLite or
// PostgreSQL.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import pg from 'pg';
import { resolveConfig } from '../src/config/resolve-config.js';
import type { RunSummary } from '../src/events/run-events.js';
import { startRun } from '../src/operations/start-run.js';
import { openProject, type OpenedProject } from '../src/runtime/open-project.js';
import { createRuntime } from '../src/runtime/runtime.js';
import { SessionHistory } from '../src/runs/history.js';
import { SingleCommandSession } from '../src/session/builtin-sessions.js';
import { POSTGRES_URL } from '../test-support/databases.js';
import { runFinished } from '../test-support/run-waiter.js';
import type { FanoutTarget } from './fanout-bare.js';

export type DatabaseKind = 'sqlite' | 'postgres';

/** The session every host runs: one command, nothing else. */
export class FanoutTrue extends SingleCommandSession {
  static override workOn = ['Host'];
  static override command = 'true';
}

export interface MinkeProject {
  project: OpenedProject;
  /** Where it lives, for worker processes that open it too (`--workers`). */
  location: BenchDatabase;
  /** Closes the project and removes what it created (the PostgreSQL schema). */
  dispose: () => Promise<void>;
}

/**
 * Opens a fresh project: a SQLite file in `dir`, or a new schema on the test PostgreSQL that
 * `dispose` drops again. `maxParallelHosts` is the executor's limit of hosts worked on at once.
 */
export async function openBenchProject(
  database: DatabaseKind,
  dir: string,
  maxParallelHosts: number,
): Promise<MinkeProject> {
  const url = database === 'sqlite' ? `sqlite:${join(dir, 'fanout.db')}` : POSTGRES_URL;
  const schema = database === 'postgres' ? `bench_fanout_${randomBytes(6).toString('hex')}` : '';
  const location: BenchDatabase = { url, dir, ...(schema ? { schema } : {}) };
  const project = await openBenchDatabase(location, maxParallelHosts, true);
  return {
    project,
    location,
    dispose: async () => {
      await project.close();
      if (schema) await dropSchema(schema);
    },
  };
}

/** A bench project's database: a SQLite file or a PostgreSQL schema, and the project folder. */
export interface BenchDatabase {
  url: string;
  schema?: string;
  dir: string;
}

/** Opens the bench project's database (this process's, or a worker process's handle on it). */
export function openBenchDatabase(
  location: BenchDatabase,
  maxParallelHosts: number,
  migrate: boolean,
): Promise<OpenedProject> {
  const config = resolveConfig(
    { database: location.url, models: [], sessions: [FanoutTrue], executor: { maxParallelHosts } },
    { projectDir: location.dir, configFile: 'fanout benchmark' },
    {}, // no MINKE_* variables: the options of this benchmark decide
  );
  return openProject(config, {
    migrate,
    ...(location.schema === undefined ? {} : { schema: location.schema }),
  });
}

async function dropSchema(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: POSTGRES_URL });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  } finally {
    await client.end();
  }
}

export interface HostSsh {
  user: string;
  identityFile: string;
  knownHostsFile: string;
  /** Per-command limit, so that a stuck host cannot hold the benchmark. */
  commandTimeoutMs: number;
  connectTimeoutMs: number;
}

/** One host record per target, with everything it needs to connect and nothing from ~/.ssh. */
export async function addHosts(
  project: OpenedProject,
  targets: readonly FanoutTarget[],
  ssh: HostSsh,
): Promise<void> {
  const config = {
    identityFiles: [ssh.identityFile],
    knownHostsFiles: [ssh.knownHostsFile],
    sshConfigFile: false,
    agent: false,
    connectTimeoutMs: ssh.connectTimeoutMs,
    commandTimeoutMs: ssh.commandTimeoutMs,
  };
  for (const target of targets) {
    await project.hosts.add({
      name: target.name,
      hostname: target.host,
      port: target.port,
      user: ssh.user,
      config,
    });
  }
}

export interface MinkeOutcome {
  runId: number;
  summary: RunSummary;
  /** When startRun returned and when run.finished arrived, from the phase's start. */
  startedAtMs: number;
  finishedAtMs: number;
}

/**
 * Runs FanoutTrue on every host and waits for the run to finish, then closes the runtime (which
 * closes the pooled connections) so that Minke's figures include closing, as the bare script's
 * do. The runtime is closed even when the run does not finish in `timeoutMs`.
 */
export async function runMinke(project: OpenedProject, timeoutMs: number): Promise<MinkeOutcome> {
  const start = performance.now();
  const runtime = createRuntime(project, { quiet: true });
  try {
    const started = await startRun(runtime, { session: 'FanoutTrue', model: 'Host', all: true });
    const startedAtMs = performance.now() - start;
    const events = await runFinished(runtime.bus, started.runId, timeoutMs);
    const finishedAtMs = performance.now() - start;
    const finished = events.find((event) => event.type === 'run.finished');
    if (finished?.type !== 'run.finished') throw new Error('run.finished carried no summary');
    return { runId: started.runId, summary: finished.summary, startedAtMs, finishedAtMs };
  } finally {
    await runtime.close();
  }
}

/**
 * Why sessions of the run did not succeed: distinct reasons with how often each came, from at
 * most `maxRecords` records per status. The target (`user@[host]:port: `) is cut from transport
 * messages so that one reason on many ports counts as one.
 */
export async function failureMessages(
  project: OpenedProject,
  runId: number,
  maxRecords = 200,
): Promise<Map<string, number>> {
  const history = new SessionHistory(project.database);
  const counts = new Map<string, number>();
  for (const status of ['error', 'warning'] as const) {
    const page = await history.list({ runId, status, limit: maxRecords });
    for (const item of page.items) {
      const detail = await history.get(item.id);
      const text =
        detail.messages
          .filter((message) => message.level !== 'info')
          .map((message) => message.text.replace(/^[^\s@]+@\S+: /, ''))
          .join(' / ') || `${detail.processState}, ${status}, no message`;
      counts.set(text, (counts.get(text) ?? 0) + 1);
    }
  }
  return counts;
}
