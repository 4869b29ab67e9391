import { readFileSync } from 'node:fs';
import { topicPrefixProblem } from '@minke/protocol';
import type { BrokerTlsConfig } from '../config/resolve-config.js';
import { loadBrokerTls, type BrokerTls } from '../broker/broker-tls.js';
import { startEmbeddedBroker, type EmbeddedBroker } from '../broker/embedded-broker.js';
import { SetupError } from '../errors.js';
import { settlesWithin } from '../util/settles-within.js';
import { silentLogger, type Logger } from '../logger.js';
import type { Project } from '../operations/project.js';
import { AgentStore, SERVER_USERNAME } from './agent-store.js';
import { verifyAgentPassword } from './credentials.js';
import { AgentGateway, type AgentGatewayOptions } from './gateway.js';
import { connectGatewayMqtt, withBrokerTrust, type BrokerTrust } from './mqtt-client.js';
import { loadSigningKey, type ServerSigningKey } from './signing-key.js';
import { watchFactsForPolicies } from '../policies/policy-watch.js';

export interface AgentServicesOptions {
  logger?: Logger;
  /** Overrides `mqtt.port` (0 picks a free port: tests). */
  port?: number;
  /** Overrides `mqtt.listen`. */
  listen?: string;
  /** Passed on to the gateway (poll and batch sizes, a test's MQTT client). */
  gateway?: Partial<Omit<AgentGatewayOptions, 'project' | 'brokerUrl' | 'topicPrefix' | 'logger'>>;
}

export interface AgentServices {
  /** The broker agents connect to (the embedded one's real address, or `mqtt.url`). */
  readonly brokerUrl: string;
  /** Present when Minke runs the broker itself. */
  readonly broker: EmbeddedBroker | undefined;
  readonly gateway: AgentGateway;
  readonly signingKey: ServerSigningKey;
  /** The embedded broker's TLS certificate, when it listens with TLS. */
  readonly tls: BrokerTls | undefined;
  close(): Promise<void>;
}

/**
 * Everything `minke start` runs for agents: the signing key (created on first use), the embedded
 * MQTT broker unless `mqtt.url` / `MINKE_MQTT_URL` names an external one, and the gateway that
 * stores results and delivers requests.
 *
 * @example
 *   const agents = await startAgentServices(project, { logger });
 *   // ... serve ...
 *   await agents.close();
 */
export async function startAgentServices(
  project: Project,
  options: AgentServicesOptions = {},
): Promise<AgentServices> {
  const logger = options.logger ?? silentLogger;
  const { mqtt } = project.config;
  const prefixProblem = topicPrefixProblem(mqtt.topicPrefix);
  if (prefixProblem) throw new SetupError(`mqtt.topicPrefix: ${prefixProblem}`);
  const sharedGroup = checkedSharedGroup(mqtt.sharedGroup, mqtt.url !== undefined);
  const signingKey = await loadSigningKey(project.database, project.config.agents.signingKeyFile);
  const external = mqtt.url === undefined ? undefined : externalBroker(mqtt.url, mqtt.password);
  const listen = options.listen ?? mqtt.listen;
  const tls =
    !external && mqtt.tls.enabled ? await loadBrokerTls(mqtt.tls, listen, logger) : undefined;
  let broker: EmbeddedBroker | undefined;
  try {
    if (!external) {
      broker = await startEmbeddedBroker({
        tls,
        host: listen,
        port: options.port ?? mqtt.port,
        topicPrefix: mqtt.topicPrefix,
        serverUsername: SERVER_USERNAME,
        authenticateAgent: agentAuthenticator(new AgentStore(project, logger), logger),
        logger,
      });
    }
    const gateway = await AgentGateway.start({
      project,
      brokerUrl: broker ? localUrl(broker) : (external as ExternalBroker).url,
      username: broker ? broker.serverCredentials.username : external?.username,
      password: broker ? broker.serverCredentials.password : external?.password,
      topicPrefix: mqtt.topicPrefix,
      logger,
      ...(sharedGroup === undefined ? {} : { sharedGroup }),
      ...options.gateway,
      connect: withBrokerTrust(
        options.gateway?.connect ?? connectGatewayMqtt,
        gatewayTrust(tls, project.config.mqtt.tls),
      ),
    });
    if (broker && !(await settlesWithin(gateway.ready, 10_000))) {
      await gateway.close();
      throw new SetupError('the gateway cannot connect to the embedded MQTT broker');
    }
    if (!broker) logger.info({ broker: external?.url }, 'agents: using an external MQTT broker');
    // Fact policies are evaluated for the hosts whose facts changed, as results are stored.
    const policyWatch = watchFactsForPolicies(project, gateway, logger);
    const brokerUrl = broker ? broker.url : (external as ExternalBroker).url;
    return {
      brokerUrl,
      broker,
      gateway,
      signingKey,
      tls,
      async close() {
        await policyWatch.close();
        await gateway.close();
        await broker?.close();
      },
    };
  } catch (error) {
    await broker?.close();
    throw error;
  }
}

/**
 * A shared-subscription group is a topic level (no `/`, `+` or `#`), and only for an external
 * broker: the embedded one (aedes) has no shared subscriptions and is one gateway's anyway.
 */
function checkedSharedGroup(group: string | undefined, external: boolean): string | undefined {
  if (group === undefined) return undefined;
  const where = `mqtt.sharedGroup / MINKE_MQTT_SHARED_GROUP "${group}"`;
  if (!external)
    throw new SetupError(
      `${where}: needs an external broker (mqtt.url); the embedded one has no shared subscriptions`,
    );
  if (/[/+#]/.test(group)) throw new SetupError(`${where}: one topic level, without /, + or #`);
  return group;
}

/**
 * How the gateway verifies the broker over TLS: the embedded one by its own certificate (pinned),
 * an external one by `mqtt.tls.caFile` and/or `mqtt.tls.fingerprint` (else the system's CAs).
 */
function gatewayTrust(tls: BrokerTls | undefined, config: BrokerTlsConfig): BrokerTrust {
  if (tls) return { ca: tls.ca, fingerprint: tls.fingerprint, where: tls.source };
  return {
    ca: config.caFile === undefined ? undefined : readCaFile(config.caFile),
    fingerprint: config.fingerprint,
    where: 'mqtt.tls.fingerprint / MINKE_MQTT_TLS_FINGERPRINT',
  };
}

function readCaFile(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new SetupError(
      `mqtt.tls.caFile (MINKE_MQTT_TLS_CA_FILE): cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
    );
  }
}

/**
 * Checks agent credentials against the stored hashes (one indexed read and one SHA-256 per login).
 * An agent still stored with an old argon2 hash pays argon2 once; its hash is then upgraded.
 */
export function agentAuthenticator(
  agents: AgentStore,
  logger: Logger = silentLogger,
): (node: string, password: string) => Promise<boolean> {
  return async (node, password) => {
    const stored = await agents.credentialHash(node).catch(() => undefined);
    if (stored === undefined) return false;
    const check = await verifyAgentPassword(stored, password);
    if (check.ok && check.upgrade !== undefined) {
      // Failing to upgrade costs only speed: the old hash keeps working.
      await agents
        .upgradeCredentialHash(node, stored, check.upgrade)
        .catch((error: Error) =>
          logger.warn({ node, err: error }, 'agents: cannot upgrade a credential hash'),
        );
    }
    return check.ok;
  };
}

export interface ExternalBroker {
  url: string;
  username: string | undefined;
  password: string | undefined;
}

/** `mqtt.url` without credentials; the user name may be in it, the password never. */
export function externalBroker(url: string, password: string | undefined): ExternalBroker {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new SetupError(`MINKE_MQTT_URL / mqtt.url: "${url}" is not a URL (mqtt://host:1883)`);
  }
  if (!['mqtt:', 'mqtts:', 'ws:', 'wss:', 'tcp:', 'ssl:'].includes(parsed.protocol)) {
    throw new SetupError('MINKE_MQTT_URL / mqtt.url: use mqtt://, mqtts://, ws:// or wss://');
  }
  if (parsed.password !== '') {
    throw new SetupError(
      'MINKE_MQTT_URL / mqtt.url: must not contain a password: use MINKE_MQTT_PASSWORD or MINKE_MQTT_PASSWORD_FILE',
    );
  }
  const username = parsed.username === '' ? undefined : decodeURIComponent(parsed.username);
  parsed.username = '';
  return { url: parsed.toString().replace(/\/$/, ''), username, password };
}

/** The embedded broker as this process reaches it (a wildcard address is not one to dial). */
function localUrl(broker: EmbeddedBroker): string {
  const scheme = new URL(broker.url).protocol;
  if (broker.host === '0.0.0.0') return `${scheme}//127.0.0.1:${broker.port}`;
  if (broker.host === '::') return `${scheme}//[::1]:${broker.port}`;
  return broker.url;
}
