import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, createLineLogger, loadPlugins, loadSettings, type AgentConfig } from '@minke/agent';
import { createTopics } from '@minke/protocol';
import mqtt, { type MqttClient } from 'mqtt';
import { resolveConfig } from '../src/config/resolve-config.js';
import {
  dispatch,
  waitForRequest,
  type DispatchInput,
  type NodeOutcome,
} from '../src/facts/dispatch.js';
import { enrollAgent } from '../src/facts/enroll-agent.js';
import { startAgentServices, type AgentServices } from '../src/facts/start-agent-services.js';
import type { Logger } from '../src/logger.js';
import { openProject, type OpenedProject } from '../src/runtime/open-project.js';

/** The Mosquitto the integration suites use (running on this machine or in CI). */
export const MOSQUITTO_URL = process.env['MINKE_TEST_MQTT_URL'] ?? 'mqtt://127.0.0.1:1883';

/** True when the shared Mosquitto answers within a second and a half. */
export async function mosquittoReachable(url = MOSQUITTO_URL): Promise<boolean> {
  const client = mqtt.connect(url, { connectTimeout: 1000, reconnectPeriod: 0 });
  const ok = await new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => resolve(false), 1500);
    client.once('connect', () => (clearTimeout(timer), resolve(true)));
    client.once('error', () => (clearTimeout(timer), resolve(false)));
  });
  await client.endAsync(true);
  return ok;
}

/** A plugin command: this Node binary with a script, quoted for the agent's word splitting. */
export function nodeCommand(script: string): string {
  const quote = (word: string) => `'${word.replace(/'/g, `'"'"'`)}'`;
  return `${quote(process.execPath)} -e ${quote(script)}`;
}

function plugin(name: string, format: string, script: string, extra = ''): string {
  return `[${name}]\nname = ${name}\ncommand = ${nodeCommand(script)}\nresult_format = ${format}\n${extra}`;
}

/** One plugin per format, and plugins that fail in each way the issue names. */
export const FLEET_PLUGINS: Record<string, string> = {
  'os.cfg': plugin('os', 'json', 'console.log(JSON.stringify({ release: "12", id: "debian" }))'),
  'packages.cfg': plugin('packages', 'yaml', 'console.log("- nginx\\n- curl")'),
  'lines.cfg': plugin('lines', 'output', 'console.log("a\\nb")'),
  'greeting.cfg': plugin('greeting', 'string', 'console.log("hello")'),
  'raw.cfg': plugin('raw', 'raw', 'process.stdout.write("x\\ny\\n")'),
  'fails.cfg': plugin('fails', 'json', 'process.stderr.write("boom\\n"); process.exit(3)'),
  'hangs.cfg': plugin('hangs', 'json', 'setTimeout(() => {}, 20000)', 'timeout = 500ms\n'),
  'badjson.cfg': plugin('badjson', 'json', 'console.log("{not json")'),
  'slow.cfg': plugin('slow', 'json', 'setTimeout(() => console.log("{\\"done\\":true}"), 1500)'),
};

/** An external broker that checks credentials itself (a private Mosquitto with the docs' ACL). */
export interface ExternalBrokerSetup {
  /** With the server's user name: `mqtt://minke-server@127.0.0.1:PORT`. */
  url: string;
  password: string;
  /** Teaches the broker an enrolled agent's credentials. */
  addUser(name: string, password: string): Promise<void>;
}

interface FleetAgent {
  agent: Agent;
  logs: string[];
  configFile: string;
}

/**
 * A Minke server (project on a SQLite file, agent services) and real `minke-agent` engines on
 * one broker: the embedded one on a free port, or the shared Mosquitto with a random topic
 * prefix. Everything started through it is stopped by `tearDown`, on failure too.
 */
export class AgentFleet {
  readonly serverLogs: string[] = [];
  readonly agents = new Map<string, FleetAgent>();
  readonly prefix: string;
  project: OpenedProject | undefined;
  services: AgentServices | undefined;
  private readonly clients: MqttClient[] = [];
  private port = 0;

  private constructor(
    readonly kind: 'embedded' | 'mosquitto',
    readonly dir: string,
    readonly external?: ExternalBrokerSetup,
  ) {
    this.prefix =
      kind === 'mosquitto' && !external ? `test-${randomUUID().slice(0, 8)}/minke/v1` : 'minke/v1';
  }

  static async create(
    kind: 'embedded' | 'mosquitto',
    external?: ExternalBrokerSetup,
  ): Promise<AgentFleet> {
    const dir = await mkdtemp(join(tmpdir(), 'minke-fleet-'));
    await mkdir(join(dir, 'plugins'));
    for (const [name, text] of Object.entries(FLEET_PLUGINS))
      await writeFile(join(dir, 'plugins', name), text);
    return new AgentFleet(kind, dir, external);
  }

  get brokerUrl(): string {
    if (!this.services) throw new Error('the server is not running');
    return this.services.brokerUrl;
  }

  /** A unique node name (Mosquitto is shared between tests). */
  node(label: string): string {
    return this.kind === 'mosquitto' ? `${label}-${randomUUID().slice(0, 6)}` : label;
  }

  /** Opens the project and starts the broker (embedded) and the gateway. */
  async startServer(agents: Record<string, unknown> = {}): Promise<AgentServices> {
    const config = resolveConfig(
      {
        database: 'sqlite:minke.db',
        agents,
        mqtt: {
          ...(this.kind === 'mosquitto' ? { url: this.external?.url ?? MOSQUITTO_URL } : {}),
          port: this.port,
          topicPrefix: this.prefix,
        },
      },
      { projectDir: this.dir, configFile: join(this.dir, 'minke.config.ts') },
      this.external ? { MINKE_MQTT_PASSWORD: this.external.password } : {},
    );
    this.project = await openProject(config, { migrate: true });
    this.services = await startAgentServices(this.project, {
      logger: recordingLogger(this.serverLogs),
      gateway: { pollIntervalMs: 100, expireIntervalMs: 300 },
    });
    // The next start takes the same port, so agents find the broker again.
    this.port = this.services.broker?.port ?? 0;
    await this.services.gateway.ready;
    return this.services;
  }

  async stopServer(): Promise<void> {
    await this.services?.close();
    this.services = undefined;
    await this.project?.close();
    this.project = undefined;
  }

  get gateway() {
    if (!this.services) throw new Error('the server is not running');
    return this.services.gateway;
  }

  get openProject(): OpenedProject {
    if (!this.project) throw new Error('the server is not running');
    return this.project;
  }

  /** Enrols a node (writing its config file) without starting its agent. */
  async enroll(node: string): Promise<string> {
    const configFile = join(this.dir, `${node}.agent.yaml`);
    await enrollAgent(this.openProject, { node, out: configFile, brokerUrl: this.brokerUrl });
    if (this.external) {
      const settings = await loadSettings({ configFile, forRun: true, env: {} });
      await this.external.addUser(node, settings.password as string);
    }
    return configFile;
  }

  /** Enrols the node (unless done) and starts its agent; resolves once it is subscribed. */
  async startAgent(
    node: string,
    overrides: Partial<AgentConfig> = {},
    enrolledFile?: string,
  ): Promise<Agent> {
    const known = this.agents.get(node);
    const configFile = enrolledFile ?? known?.configFile ?? (await this.enroll(node));
    const settings = await loadSettings({ configFile, forRun: true, env: {} });
    const logs = known?.logs ?? [];
    const agent = new Agent({
      config: {
        ...settings,
        brokerUrl: settings.brokerUrl as string,
        spoolDir: join(this.dir, `spool-${node}`),
        keepaliveSeconds: 5,
        reconnectMinSeconds: 0.05,
        reconnectMaxSeconds: 0.3,
        resendIntervalSeconds: 0.3,
        concurrency: 2,
        ...overrides,
      },
      plugins: await loadPlugins(join(this.dir, 'plugins')),
      logger: createLineLogger((line) => logs.push(line), 'debug'),
    });
    this.agents.set(node, { agent, logs, configFile });
    await agent.start();
    await withTimeout(agent.ready, 10_000, `agent ${node} to connect`);
    return agent;
  }

  async stopAgent(node: string): Promise<void> {
    await this.agents.get(node)?.agent.stop();
  }

  agentLogs(node: string): string[] {
    return this.agents.get(node)?.logs ?? [];
  }

  /** Dispatches from this process (as the API would) and waits for every node. */
  async dispatchAndWait(
    input: DispatchInput,
    timeoutMs = 15_000,
  ): Promise<{ id: string; outcomes: NodeOutcome[] }> {
    const request = await dispatch({ project: this.openProject, gateway: this.gateway }, input);
    const { outcomes } = await waitForRequest(this.openProject, request.id, {
      timeoutMs,
      pollMs: 50,
    });
    return { id: request.id, outcomes };
  }

  /** A raw MQTT client on the broker (closed by tearDown). */
  async rawClient(options: mqtt.IClientOptions): Promise<MqttClient> {
    const client = await mqtt.connectAsync(this.brokerUrl, {
      reconnectPeriod: 0,
      connectTimeout: 5000,
      ...options,
    });
    this.clients.push(client);
    return client;
  }

  async tearDown(): Promise<void> {
    for (const { agent } of this.agents.values()) await agent.stop().catch(() => undefined);
    for (const client of this.clients) await client.endAsync(true).catch(() => undefined);
    await this.stopServer().catch(() => undefined);
    if (this.kind === 'mosquitto' && !this.external)
      await this.cleanMosquitto().catch(() => undefined);
    await rm(this.dir, { recursive: true, force: true });
  }

  /** Removes the agents' persistent sessions and retained presences from the shared broker. */
  private async cleanMosquitto(): Promise<void> {
    const topics = createTopics(this.prefix);
    for (const node of this.agents.keys()) {
      const session = await mqtt.connectAsync(MOSQUITTO_URL, {
        clientId: `minke-agent-${node}`,
        clean: true,
        reconnectPeriod: 0,
        connectTimeout: 2000,
      });
      await session.endAsync();
    }
    const client = await mqtt.connectAsync(MOSQUITTO_URL, {
      reconnectPeriod: 0,
      connectTimeout: 2000,
    });
    for (const node of this.agents.keys())
      await client.publishAsync(topics.presence(node), '', { qos: 1, retain: true });
    await client.endAsync();
  }
}

/** A Minke logger that keeps lines: `WARN gateway: message dropped {"topic":...}`. */
export function recordingLogger(lines: string[]): Logger {
  const at =
    (level: string) =>
    (fields: object, message?: string): void => {
      lines.push(`${level} ${message ?? ''} ${JSON.stringify(fields)}`);
    };
  const logger: Logger = {
    debug: at('DEBUG'),
    info: at('INFO'),
    warn: at('WARN'),
    error: at('ERROR'),
    child: () => logger,
  };
  return logger;
}

/** Polls `check` every 20 ms until true; fails after `timeoutMs`. */
export async function waitUntil(
  what: string,
  check: () => boolean | Promise<boolean>,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
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
