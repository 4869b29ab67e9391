// npm run bench -- agents [--agents N] [--processes P] [--legacy-hashes] [--cpu-prof DIR]
// npm run bench -- agents --broker mqtt://127.0.0.1:1883 [--gateways G] [--postgres URL]: see
// agents-shared.ts
//
// N simulated agents, spread over P processes (agents-worker.ts), each a real MQTT connection to
// the embedded broker of one `minke start` (the built CLI, on a project folder as a user makes
// it). Figures: every agent connected from cold; a reconnect storm (the server process stopped
// and started again, so the whole fleet comes back at once); one broadcast until every result is
// stored; the server's RSS. `--legacy-hashes` stores argon2id hashes as agents enrolled before
// the fast hash had (the cold connect then upgrades them); `--cpu-prof DIR` profiles both
// server processes. Figures only; nothing asserted.
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { resolveConfig } from '../src/config/resolve-config.js';
import { loadSigningKey } from '../src/facts/signing-key.js';
import { openProject } from '../src/runtime/open-project.js';
import { freePort } from '../test-support/redis.js';
import {
  allConnected,
  enrolAll,
  loadAverage,
  launchAgents,
  onlineCount,
  startServer,
  stats,
  stopServer,
  timeBroadcast,
  until,
  exited,
} from './agents-support.js';
import { benchAgentsShared } from './agents-shared.js';
import type { ToWorker } from './agents-worker.js';

export async function benchAgents(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      agents: { type: 'string', default: '10000' },
      processes: { type: 'string', default: '4' },
      'connect-concurrency': { type: 'string', default: '200' },
      'legacy-hashes': { type: 'boolean', default: false },
      'cpu-prof': { type: 'string' },
      broker: { type: 'string' },
      gateways: { type: 'string', default: '2' },
      postgres: { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/postgres' },
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
  if (values.broker !== undefined) {
    const gateways = Number(values.gateways);
    if (!Number.isInteger(gateways) || gateways < 1 || gateways > 16)
      throw new Error('--gateways G: 1 to 16');
    await benchAgentsShared({
      brokerUrl: values.broker,
      gateways,
      agents: count,
      processes,
      concurrency,
      postgresUrl: values.postgres,
    });
    return;
  }
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
    const { connectStart, allIn } = await launchAgents(workers, processes, credentials, {
      brokerUrl,
      publicKey: signingKey.publicKeyBase64,
      concurrency,
    });
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
    // Agents are let in as soon as the gateway is, which can be before the web server is up.
    console.log(
      `reconnect storm after restart:  ${backAt - restartAt} ms from the stop to every agent back ` +
        `(the server took ${upAt - restartAt} ms to start; back ${backAt - upAt} ms after that)`,
    );
    const online2Ms = await until(() => onlineCount(project).then((n) => n >= count), 300_000);
    console.log(`  ... and all online in the database ${online2Ms} ms later`);

    // One broadcast, made from another process as `minke dispatch` makes it.
    await timeBroadcast(project, signingKey, count);
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

function rssMb(child: ChildProcess): number {
  const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return Math.round(kb / 1024);
}
