// npm run bench -- agents --broker mqtt://127.0.0.1:1883 --gateways 2 [--agents N] [--processes P]
//   [--postgres postgres://postgres@127.0.0.1:5432/postgres]
//
// Towards 100,000 agents, the part that can be measured on one machine: G gateways (each the
// agent services of one Minke server, in its own process) on one external broker with MQTT 5
// shared subscriptions, one PostgreSQL database (made for the run on the server --postgres names,
// dropped after; SQLite has one writer, and two processes writing it refuse each other's commits). N simulated agents connect to the broker (which
// must let them in without a password, as a test broker does), a broadcast goes out, and the
// figures are the time until every result is stored, results per second, how the gateways split
// them, and whether any result was stored twice. Figures only; nothing asserted.
import { fork, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { resolveConfig } from '../src/config/resolve-config.js';
import { loadSigningKey } from '../src/facts/signing-key.js';
import { openProject, type OpenedProject } from '../src/runtime/open-project.js';
import {
  enrolAll,
  exited,
  launchAgents,
  loadAverage,
  onlineCount,
  timeBroadcast,
  until,
  workerOptions,
} from './agents-support.js';
import type { FromGateway, ToGateway } from './agents-gateway.js';
import type { ToWorker } from './agents-worker.js';

const gatewayScript = fileURLToPath(new URL('./agents-gateway.ts', import.meta.url));

export interface SharedBenchOptions {
  brokerUrl: string;
  gateways: number;
  agents: number;
  processes: number;
  concurrency: number;
  /** A PostgreSQL server (its URL with any database): the run makes a database of its own there. */
  postgresUrl: string;
}

export async function benchAgentsShared(options: SharedBenchOptions): Promise<void> {
  const { brokerUrl, agents: count, processes } = options;
  const run = randomUUID().slice(0, 8);
  // A topic prefix, group and client ids of this run's own: the broker may be shared.
  const topicPrefix = `bench-${run}/minke/v1`;
  const sharedGroup = `minke-bench-${run}`;
  console.log(
    `${count} agents in ${processes} processes, ${options.gateways} gateways in one shared ` +
      `subscription group on ${brokerUrl}, PostgreSQL`,
  );
  const dir = await mkdtemp(join(tmpdir(), 'minke-bench-shared-'));
  const database = await createDatabase(options.postgresUrl, `minke_bench_${run}`);
  const config = { database, mqtt: { url: brokerUrl, topicPrefix, sharedGroup } };
  await writeFile(join(dir, 'package.json'), '{ "type": "module", "private": true }\n');
  await writeFile(join(dir, 'minke.config.ts'), `export default ${JSON.stringify(config)};\n`);
  const project = await openProject(
    resolveConfig(config, { projectDir: dir, configFile: join(dir, 'minke.config.ts') }, {}),
    { migrate: true },
  );
  const gateways: ChildProcess[] = [];
  const workers: ChildProcess[] = [];
  try {
    const credentials = await enrolAll(project, count, false);
    const signingKey = await loadSigningKey(project.database, project.config.agents.signingKeyFile);
    for (let i = 0; i < options.gateways; i++) {
      const gateway = fork(gatewayScript, [], workerOptions());
      gateways.push(gateway);
      await fromGateway(gateway, 'loaded');
      const ready = fromGateway(gateway, 'ready');
      gateway.send({
        type: 'start',
        dir,
        database,
        brokerUrl,
        topicPrefix,
        sharedGroup,
      } satisfies ToGateway);
      await ready;
    }
    const { connectStart, allIn } = await launchAgents(workers, processes, credentials, {
      brokerUrl,
      publicKey: signingKey.publicKeyBase64,
      concurrency: options.concurrency,
      topicPrefix,
      clientIdPrefix: `bench-${run}-`,
    });
    console.log(`connected to the broker:        ${(await allIn) - connectStart} ms`);
    const onlineMs = await until(() => onlineCount(project).then((n) => n >= count), 300_000);
    console.log(`  ... and all online in the database ${onlineMs} ms later`);

    const requestId = await timeBroadcast(project, signingKey, count);
    // Late copies (a redelivery) would arrive after the last answer: give them a moment.
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const split = await Promise.all(gateways.map((gateway) => gatewayStats(gateway)));
    split.forEach((s, i) =>
      console.log(
        `gateway ${i + 1}: received ${s.received} (${s.presences} presences), stored ${s.stored}, ` +
          `duplicates ${s.duplicates}`,
      ),
    );
    const history = await storedTwice(project, requestId);
    console.log(
      `history rows for the broadcast: ${history.rows} for ${history.results} distinct results ` +
        `(${history.rows === history.results && history.results === count ? 'each stored once' : 'NOT each stored once'})`,
    );
    console.log(`load average at the end:        ${loadAverage()}`);
  } finally {
    for (const worker of workers) worker.send({ type: 'stop' } satisfies ToWorker);
    await Promise.all(workers.map((worker) => exited(worker, 15_000)));
    for (const gateway of gateways) gateway.send({ type: 'stop' } satisfies ToGateway);
    await Promise.all(gateways.map((gateway) => exited(gateway, 15_000)));
    await project.close();
    await dropDatabase(options.postgresUrl, `minke_bench_${run}`);
    await rm(dir, { recursive: true, force: true });
  }
}

/** Makes a database for this run on the server of `serverUrl`; gives its URL. */
async function createDatabase(serverUrl: string, name: string): Promise<string> {
  await onServer(serverUrl, `CREATE DATABASE ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

async function dropDatabase(serverUrl: string, name: string): Promise<void> {
  await onServer(serverUrl, `DROP DATABASE IF EXISTS ${name}`).catch((error: Error) =>
    console.error(`could not drop the database ${name}: ${error.message}`),
  );
}

async function onServer(serverUrl: string, statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

/** The broadcast's history rows, and how many distinct results they hold. */
async function storedTwice(project: OpenedProject, requestId: string) {
  const row = await project.database.db
    .selectFrom('minke_fact_history')
    .select((eb) => [
      eb.fn.countAll().as('rows'),
      eb.fn.count('result_id').distinct().as('results'),
    ])
    .where('request_id', '=', requestId)
    .executeTakeFirstOrThrow();
  return { rows: Number(row.rows), results: Number(row.results) };
}

async function gatewayStats(gateway: ChildProcess) {
  const reply = fromGateway(gateway, 'stats');
  gateway.send({ type: 'stats' } satisfies ToGateway);
  return (await reply) as Extract<FromGateway, { type: 'stats' }>;
}

/** The next message of this type from a gateway process (bounded: 60 s). */
function fromGateway(gateway: ChildProcess, type: FromGateway['type']): Promise<FromGateway> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => done(new Error(`no ${type} from a gateway in 60 s`)), 60_000);
    const onMessage = (message: FromGateway) => {
      if (message.type === 'error') done(new Error(`gateway: ${message.message}`));
      else if (message.type === type) done(undefined, message);
    };
    function done(error?: Error, message?: FromGateway) {
      clearTimeout(timer);
      gateway.off('message', onMessage);
      if (error) reject(error);
      else resolve(message as FromGateway);
    }
    gateway.on('message', onMessage);
  });
}
