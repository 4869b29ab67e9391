import { hostname } from 'node:os';
import { readFile } from 'node:fs/promises';
import { isAbsolute } from 'node:path';
import type { AgentEnrollment } from '@minke/contract';
import { agentSpoolDir, DEFAULT_SPOOL_BASE } from '@minke/protocol';
import { loadBrokerTls } from '../broker/broker-tls.js';
import { InputError, SetupError } from '../errors.js';
import type { Project } from '../operations/project.js';
import { AgentStore, type AgentRecord } from './agent-store.js';
import { writeAgentConfig, type AgentConfigSettings } from './agent-config-file.js';
import { loadSigningKey } from './signing-key.js';
import { externalBroker } from './start-agent-services.js';

export interface EnrollInput {
  node: string;
  /** Where to write the agent's config file (mode 600). */
  out: string;
  /** The broker URL as the agent reaches it; default from the project's `mqtt` settings. */
  brokerUrl?: string | undefined;
  /**
   * The folder on the node under which agents keep their spools, one subfolder per node;
   * default `/var/lib/minke-agent`. The config gets `spoolDir: <spoolBase>/<node>`.
   */
  spoolBase?: string | undefined;
}

/** An enrolment before its config is written anywhere: what `minke agents enroll` prints. */
export interface AgentEnrolment {
  agent: AgentRecord;
  brokerUrl: string;
  /** True when the broker is external: it must learn the agent's credentials itself. */
  externalBroker: boolean;
  /** The agent's own spool folder, as written into its config. */
  spoolDir: string;
  /** The broker certificate's SHA-256 fingerprint the agent pins, when it talks TLS. */
  brokerFingerprint: string | undefined;
  /** The agent's config, its broker password included: for the node's config file only. */
  config: AgentConfigSettings;
}

export interface EnrolledAgent extends Omit<AgentEnrolment, 'config'> {
  file: string;
}

/**
 * Enrols an agent: makes it a new broker password (only its hash is stored), and writes
 * the agent's config file (node, broker URL, user name and password, the server's public key,
 * topic prefix, and a spool folder of its own, so that agents on one machine never share one)
 * with mode 600. Enrolling a node again replaces its password, which also revokes the old one.
 *
 * @example
 *   await enrollAgent(project, { node: 'web1', out: '/tmp/web1-agent.yaml' });
 */
export async function enrollAgent(project: Project, input: EnrollInput): Promise<EnrolledAgent> {
  const { config, ...enrolment } = await prepareEnrolment(project, input);
  const file = await writeAgentConfig(input.out, config);
  return { ...enrolment, file };
}

/**
 * Enrols an agent and gives back its config without writing it: the CLI writes it where it runs
 * (on the project, or on the machine of a user who enrols through a server's API).
 */
export async function prepareEnrolment(
  project: Project,
  input: Omit<EnrollInput, 'out'>,
): Promise<AgentEnrolment> {
  const brokerUrl = input.brokerUrl ?? advertisedBrokerUrl(project);
  checkAgentBrokerUrl(brokerUrl);
  const trust = await brokerTrustForAgents(project, brokerUrl);
  const spoolBase = checkSpoolBase(input.spoolBase ?? DEFAULT_SPOOL_BASE);
  const signingKey = await loadSigningKey(project.database, project.config.agents.signingKeyFile);
  // The node and where its broker is; never the broker password the file holds.
  const { agent, password } = await new AgentStore(project).enroll(input.node, {
    action: 'agent.enroll',
    targetType: 'agent',
    targetName: input.node,
    after: { node: input.node, brokerUrl, brokerFingerprint: trust.fingerprint ?? null },
  });
  const config: AgentConfigSettings = {
    node: agent.node,
    brokerUrl,
    username: agent.node,
    password,
    serverPublicKey: signingKey.publicKeyBase64,
    topicPrefix: project.config.mqtt.topicPrefix,
    spoolDir: agentSpoolDir(agent.node, spoolBase),
    ...(trust.fingerprint === undefined ? {} : { brokerFingerprint: trust.fingerprint }),
    ...(trust.ca === undefined ? {} : { brokerCa: trust.ca }),
  };
  return {
    agent,
    brokerUrl,
    externalBroker: project.config.mqtt.url !== undefined,
    spoolDir: config.spoolDir,
    brokerFingerprint: trust.fingerprint,
    config,
  };
}

/**
 * What the agent trusts the broker by: for the embedded broker with TLS, its certificate's
 * fingerprint and CA (the files are made here if the server has not started yet); for an external
 * TLS broker, `mqtt.tls.fingerprint` and `mqtt.tls.caFile` when set.
 */
async function brokerTrustForAgents(
  project: Project,
  brokerUrl: string,
): Promise<{ fingerprint: string | undefined; ca: string | undefined }> {
  const { mqtt } = project.config;
  const secure = /^(mqtts|ssl|wss):/i.test(brokerUrl);
  if (mqtt.url === undefined && mqtt.tls.enabled) {
    if (!secure) {
      throw new InputError(
        `--broker-url ${brokerUrl}: the embedded broker listens with TLS (mqtt.tls): use mqtts://`,
      );
    }
    const tls = await loadBrokerTls(mqtt.tls, mqtt.listen);
    return { fingerprint: tls.fingerprint, ca: tls.ca };
  }
  if (!secure) return { fingerprint: undefined, ca: undefined };
  return {
    fingerprint: mqtt.tls.fingerprint,
    ca: mqtt.tls.caFile === undefined ? undefined : await readCa(mqtt.tls.caFile),
  };
}

async function readCa(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    throw new SetupError(
      `mqtt.tls.caFile (MINKE_MQTT_TLS_CA_FILE): cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
    );
  }
}

/** The spool base is a path on the node, so it must not depend on where enrol runs. */
function checkSpoolBase(base: string): string {
  if (!isAbsolute(base) || base.includes('\n')) {
    throw new InputError(
      `--spool-base "${base}" must be an absolute path on the node (e.g. ${DEFAULT_SPOOL_BASE})`,
    );
  }
  return base;
}

/** Where agents find the broker by default: the external URL, or the embedded broker's address. */
export function advertisedBrokerUrl(project: Project): string {
  const { mqtt } = project.config;
  if (mqtt.url !== undefined) return externalBroker(mqtt.url, undefined).url;
  if (mqtt.port === 0) {
    throw new InputError('mqtt.port is 0 (a random port): give the broker URL with --broker-url');
  }
  const wildcard = mqtt.listen === '0.0.0.0' || mqtt.listen === '::';
  const host = wildcard ? hostname() : mqtt.listen;
  const scheme = mqtt.tls.enabled ? 'mqtts' : 'mqtt';
  return `${scheme}://${host.includes(':') ? `[${host}]` : host}:${mqtt.port}`;
}

function checkAgentBrokerUrl(url: string): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new InputError(`--broker-url "${url}" is not a URL (mqtts://broker.example.org:8883)`);
  }
  if (!['mqtt:', 'mqtts:', 'ws:', 'wss:', 'tcp:', 'ssl:'].includes(parsed.protocol)) {
    throw new InputError('--broker-url: use mqtt://, mqtts://, ws:// or wss://');
  }
  if (parsed.username !== '' || parsed.password !== '') {
    throw new InputError('--broker-url: leave credentials out; the file gets its own');
  }
}

/** An enrolment as the API and the CLI give it. */
export function enrollmentReply(enrolment: AgentEnrolment): AgentEnrollment {
  return {
    node: enrolment.agent.node,
    hostName: enrolment.agent.hostName,
    brokerUrl: enrolment.brokerUrl,
    externalBroker: enrolment.externalBroker,
    spoolDir: enrolment.spoolDir,
    brokerFingerprint: enrolment.brokerFingerprint ?? null,
    config: enrolment.config,
  };
}
