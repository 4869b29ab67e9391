import { createTopics } from '@minke/protocol';
import { randomUUID } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { MqttClient } from 'mqtt';
import { Agent, type AgentConfig, type AgentOptions } from '../agent.js';
import { createLineLogger } from '../logger.js';
import { connectMqtt } from '../mqtt-client.js';
import { loadPlugins } from '../plugins/load-plugins.js';
import { cleanBroker, type TestBroker } from './brokers.js';
import { FakeServer, serverKeys, type FakeServerOptions, type ServerKeys } from './fake-server.js';
import { nodeCommand, tempDir, writeFiles } from './temp.js';

/** The plugins the integration suites use: small Node scripts, so they run anywhere. */
export const TEST_PLUGINS: Record<string, string> = {
  'hello.cfg': `[hello]\nname = hello\ndescription = says hello\ncommand = ${nodeCommand('console.log(JSON.stringify({ hello: "world" }))')}\nresult_format = json\ncommand_alias = say_hello\n`,
  'lines.ini': `[lines]\nname = lines\ncommand = ${nodeCommand('console.log("a\\nb")')}\nresult_format = output\n`,
  'broken.cfg': '[broken]\nname = broken\ncommand = broken\nresult_format = broken\n',
};

/**
 * One test's world on a broker: a random topic prefix and node, server keys, temporary plugin and
 * spool directories, and cleanup of everything started through it (agents, fake servers, the
 * persistent session and retained presence on a shared broker).
 */
export class AgentTestWorld {
  readonly prefix = `test-${randomUUID().slice(0, 8)}/minke/v1`;
  readonly node = `node-${randomUUID().slice(0, 8)}`;
  readonly keys: ServerKeys = serverKeys();
  readonly logs: string[] = [];
  /** Every mqtt client the agents opened, newest last, so a test can cut a connection. */
  readonly agentClients: MqttClient[] = [];
  private readonly agents: Agent[] = [];
  private readonly servers: FakeServer[] = [];
  private readonly cleanups: Array<() => Promise<void>> = [];
  pluginsDir = '';
  spoolDir = '';

  constructor(readonly broker: TestBroker) {}

  async setUp(plugins: Record<string, string> = TEST_PLUGINS): Promise<void> {
    const { dir, cleanup } = await tempDir();
    this.cleanups.push(cleanup);
    this.pluginsDir = join(dir, 'plugins');
    this.spoolDir = join(dir, 'spool');
    await mkdir(this.pluginsDir);
    await writeFiles(this.pluginsDir, plugins);
  }

  config(overrides: Partial<AgentConfig> = {}): AgentConfig {
    return {
      node: this.node,
      brokerUrl: this.broker.url,
      username: undefined,
      password: undefined,
      serverKeys: [this.keys.publicKey],
      spoolDir: this.spoolDir,
      topicPrefix: this.prefix,
      clientId: `minke-agent-${this.node}`,
      caFile: undefined,
      mqttVersion: 4,
      keepaliveSeconds: 5,
      reconnectMinSeconds: 0.05,
      reconnectMaxSeconds: 0.5,
      resendIntervalSeconds: 0.3,
      sessionExpirySeconds: 600,
      maxSpoolResults: 100,
      concurrency: 1,
      clockSkewSeconds: 300,
      maxRequestTtlSeconds: 7 * 24 * 3600,
      ...overrides,
    };
  }

  /** Starts an agent on this world's plugins and spool; resolves once it is subscribed. */
  async startAgent(
    overrides: Partial<AgentConfig> = {},
    options: Partial<AgentOptions> = {},
  ): Promise<Agent> {
    const agent = new Agent({
      config: this.config(overrides),
      plugins: await loadPlugins(this.pluginsDir),
      logger: createLineLogger((line) => this.logs.push(line), 'debug'),
      connect: (url, mqttOptions) => {
        const client = connectMqtt(url, mqttOptions) as MqttClient;
        this.agentClients.push(client);
        return client;
      },
      ...options,
    });
    this.agents.push(agent);
    await agent.start();
    await withTimeout(agent.ready, 10_000, 'the agent to connect');
    return agent;
  }

  async server(options: FakeServerOptions = {}): Promise<FakeServer> {
    const server = await FakeServer.connect(this.broker.url, this.prefix, {
      keys: this.keys,
      ...options,
    });
    this.servers.push(server);
    return server;
  }

  async tearDown(): Promise<void> {
    for (const agent of this.agents) await agent.stop();
    for (const server of this.servers) await server.close().catch(() => undefined);
    if (this.broker.name !== 'aedes') {
      const topics = createTopics(this.prefix);
      await cleanBroker(
        this.broker.url,
        [`minke-agent-${this.node}`],
        [topics.presence(this.node)],
      );
    }
    for (const cleanup of this.cleanups) await cleanup();
  }
}

export async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
