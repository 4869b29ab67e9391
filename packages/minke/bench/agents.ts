// npm run bench -- agents [--agents N] [--connect-concurrency C]
//
// N simulated agents in this process, each with a real MQTT connection to the embedded broker of
// a Minke server running in a child process (agents-server.ts). One broadcast request; the
// figures are the time until every result is stored (and acknowledged back to its agent),
// results per second, and the server's RSS. Figures only; nothing asserted.
import { fork, type ChildProcess } from 'node:child_process';
import { randomUUID, type KeyObject } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import {
  acceptRequest,
  createTopics,
  decodeAck,
  encodeMessage,
  parsePublicKey,
  PROTOCOL_VERSION,
  ReplayGuard,
  type Result,
} from '@minke/protocol';
import mqtt, { type MqttClient } from 'mqtt';
import type { FromServer, ToServer } from './agents-server.js';

const serverScript = fileURLToPath(new URL('./agents-server.ts', import.meta.url));
const topics = createTopics();

export async function benchAgents(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      agents: { type: 'string', default: '1000' },
      'connect-concurrency': { type: 'string', default: '100' },
    },
  });
  const count = Number(values.agents);
  const concurrency = Number(values['connect-concurrency']);
  if (!Number.isInteger(count) || count < 1 || count > 100_000)
    throw new Error('--agents N: 1 to 100000');
  const dir = await mkdtemp(join(tmpdir(), 'minke-bench-agents-'));
  const server = fork(serverScript, [], {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, MINKE_BENCH_DIR: dir, MINKE_BENCH_AGENTS: String(count) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const clients: MqttClient[] = [];
  try {
    const ready = await next(server, 'ready', 600_000);
    console.log(`enrolled ${count} agents in ${ready.enrolMs} ms (argon2id, server side)`);
    const key = parsePublicKey(ready.publicKey);
    if (!key.ok) throw new Error(key.reason);
    let answered = 0;
    let acked = 0;
    let lastAckAt = 0;
    const connectStart = Date.now();
    for (let i = 0; i < ready.credentials.length; i += concurrency) {
      const batch = ready.credentials.slice(i, i + concurrency);
      clients.push(
        ...(await Promise.all(
          batch.map(([node, password]) =>
            simulatedAgent(ready.brokerUrl, node, password, key.value, {
              answered: () => answered++,
              acked: (n) => {
                acked += n;
                lastAckAt = Date.now();
              },
            }),
          ),
        )),
      );
    }
    const connectMs = Date.now() - connectStart;
    server.send({ type: 'wait-online', count } satisfies ToServer);
    const online = await next(server, 'online', 300_000);
    console.log(
      `connected ${count} agents in ${connectMs} ms; all online on the server ${online.ms} ms later`,
    );
    const broadcastAt = Date.now();
    server.send({ type: 'broadcast' } satisfies ToServer);
    const stored = await next(server, 'stored', 300_000);
    const ackDeadline = Date.now() + 60_000;
    while (acked < count && Date.now() < ackDeadline) await sleep(20);
    const seconds = stored.ms / 1000;
    console.log(`broadcast -> every result stored: ${stored.ms} ms (${count} agents)`);
    console.log(`results per second:             ${Math.round(count / seconds)}`);
    console.log(
      `stored ${stored.stored}, targets answered ${stored.answered}, answered by agents ${answered}, in ${stored.batches} transaction(s)`,
    );
    console.log(
      `acknowledged back to agents:    ${acked}/${count}${acked > 0 ? ` (last at ${lastAckAt - broadcastAt} ms)` : ''}`,
    );
    console.log(`server RSS after storing:       ${stored.rssMb} MB`);
    console.log(
      `bench process RSS (${count} MQTT clients): ${Math.round(process.memoryUsage().rss / 1024 / 1024)} MB`,
    );
  } finally {
    await Promise.all(clients.map((client) => client.endAsync(true).catch(() => undefined)));
    server.send({ type: 'stop' } satisfies ToServer);
    await exited(server, 15_000);
    await rm(dir, { recursive: true, force: true });
  }
}

/** An agent reduced to its protocol: verify each request, answer at once, count the acks. */
async function simulatedAgent(
  url: string,
  node: string,
  password: string,
  publicKey: KeyObject,
  count: { answered: () => void; acked: (n: number) => void },
): Promise<MqttClient> {
  const client = await mqtt.connectAsync(url, {
    clientId: `minke-agent-${node}`,
    username: node,
    password,
    clean: true,
    keepalive: 120,
    reconnectPeriod: 0,
    connectTimeout: 60_000,
  });
  const guard = new ReplayGuard();
  client.on('message', (topic, payload) => {
    if (topic === topics.ack(node)) {
      const ack = decodeAck(payload);
      if (ack.ok) count.acked(ack.value.resultIds.length);
      return;
    }
    const outcome = acceptRequest(payload, { node, publicKeys: publicKey, guard });
    if (!outcome.ok) return;
    const now = new Date().toISOString();
    const result: Result = {
      v: PROTOCOL_VERSION,
      id: randomUUID(),
      requestId: outcome.request.id,
      node,
      plugin: outcome.request.plugin,
      ok: true,
      format: 'json',
      value: { node, kernel: '6.1.0', cpus: 4, memoryMb: 8192 },
      startedAt: now,
      finishedAt: now,
      durationMs: 0,
      exitCode: 0,
    };
    count.answered();
    void client.publishAsync(topics.result(node), encodeMessage(result), { qos: 1 });
  });
  await client.subscribeAsync([topics.requestAll, topics.requestNode(node), topics.ack(node)], {
    qos: 1,
  });
  await client.publishAsync(
    topics.presence(node),
    encodeMessage({
      v: PROTOCOL_VERSION,
      node,
      online: true,
      agentVersion: 'bench',
      plugins: [{ name: 'facts', description: '', format: 'json' }],
      rejected: [],
      at: new Date().toISOString(),
    }),
    { qos: 1, retain: true },
  );
  return client;
}

function next<T extends FromServer['type']>(
  child: ChildProcess,
  type: T,
  timeoutMs: number,
): Promise<Extract<FromServer, { type: T }>> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => done(new Error(`no ${type} from the server in ${timeoutMs} ms`)),
      timeoutMs,
    );
    const onMessage = (message: FromServer) => {
      if (message.type === 'error') done(new Error(`server: ${message.message}`));
      else if (message.type === type) done(undefined, message as Extract<FromServer, { type: T }>);
    };
    const onExit = (code: number | null) => done(new Error(`the server exited (${code})`));
    function done(error?: Error, message?: Extract<FromServer, { type: T }>) {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
      if (error) reject(error);
      else resolve(message as Extract<FromServer, { type: T }>);
    }
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}

async function exited(child: ChildProcess, timeoutMs: number): Promise<void> {
  if (child.exitCode !== null) return;
  const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  await gone;
  clearTimeout(timer);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
