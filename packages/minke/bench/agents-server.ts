// The server half of `npm run bench -- agents`, in a child process of its own so that its RSS is
// the server's: a project on a SQLite file, the embedded broker and the gateway, N enrolled
// agents. It talks to the bench over IPC (see agents.ts).
import { join } from 'node:path';
import { resolveConfig } from '../src/config/resolve-config.js';
import { AgentStore } from '../src/facts/agent-store.js';
import { dispatch } from '../src/facts/dispatch.js';
import { startAgentServices } from '../src/facts/start-agent-services.js';
import { silentLogger } from '../src/logger.js';
import { openProject } from '../src/project/open-project.js';

export type ToServer =
  { type: 'wait-online'; count: number } | { type: 'broadcast' } | { type: 'stop' };
export type FromServer =
  | {
      type: 'ready';
      brokerUrl: string;
      publicKey: string;
      credentials: [string, string][];
      enrolMs: number;
    }
  | { type: 'online'; ms: number }
  | { type: 'stored'; ms: number; rssMb: number; stored: number; answered: number; batches: number }
  | { type: 'error'; message: string };

const send = (message: FromServer) => process.send?.(message);
const dir = process.env['MINKE_BENCH_DIR'] as string;
const count = Number(process.env['MINKE_BENCH_AGENTS']);
const database = process.env['MINKE_BENCH_DATABASE'] ?? 'sqlite:minke.db';

const config = resolveConfig(
  { database, mqtt: { port: 0 } },
  { projectDir: dir, configFile: join(dir, 'minke.config.ts') },
  {},
);
const project = await openProject(config, { migrate: true });
const services = await startAgentServices(project, { logger: silentLogger });
let batches = 0;
services.gateway.onStored(() => batches++);

// Enrol N agents; argon2 runs on libuv's thread pool, so a few at a time.
const enrolStart = Date.now();
const agents = new AgentStore(project);
const credentials: [string, string][] = [];
const nodes = Array.from({ length: count }, (_, i) => `node-${String(i).padStart(5, '0')}`);
for (let i = 0; i < nodes.length; i += 16) {
  const enrolled = await Promise.all(nodes.slice(i, i + 16).map((node) => agents.enroll(node)));
  for (const { agent, password } of enrolled) credentials.push([agent.node, password]);
}
send({
  type: 'ready',
  brokerUrl: services.brokerUrl,
  publicKey: services.signingKey.publicKeyBase64,
  credentials,
  enrolMs: Date.now() - enrolStart,
});

process.on('message', (message: ToServer) => {
  void handle(message).catch((error: Error) => send({ type: 'error', message: error.message }));
});

async function handle(message: ToServer): Promise<void> {
  if (message.type === 'wait-online') {
    const start = Date.now();
    await until(async () => (await agents.onlineNodes()).size >= message.count, 300_000);
    send({ type: 'online', ms: Date.now() - start });
  } else if (message.type === 'broadcast') {
    const start = Date.now();
    const request = await dispatch(
      { project, signingKey: services.signingKey, gateway: services.gateway },
      { plugin: 'facts', all: true },
    );
    const storedBefore = services.gateway.stats.stored;
    await until(async () => {
      const status = await services.gateway.ledger.status(request.id);
      return status?.targets.every((target) => target.state === 'answered') ?? false;
    }, 300_000);
    const ms = Date.now() - start;
    const status = await services.gateway.ledger.status(request.id);
    send({
      type: 'stored',
      ms,
      rssMb: Math.round(process.memoryUsage().rss / 1024 / 1024),
      stored: services.gateway.stats.stored - storedBefore,
      answered: status?.targets.filter((t) => t.state === 'answered').length ?? 0,
      batches,
    });
  } else {
    await services.close();
    await project.close();
    process.exit(0);
  }
}

async function until(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`gave up after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
