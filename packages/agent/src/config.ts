import { readFile, stat } from 'node:fs/promises';
import { hostname } from 'node:os';
import { dirname, resolve } from 'node:path';
import {
  agentSpoolDir,
  DEFAULT_TOPIC_PREFIX,
  nodeNameProblem,
  normalizeFingerprint,
  parsePublicKey,
  topicPrefixProblem,
} from '@minke/protocol';
import type { KeyObject } from 'node:crypto';
import { parse as parseYaml } from 'yaml';
import { LOG_LEVELS, type LogLevel } from './logger.js';

/**
 * The agent's settings, from (later wins): defaults < config file < `MINKE_AGENT_*` variables <
 * command-line options. The config file is YAML or JSON, as `minke agents enroll NODE --out FILE`
 * writes it:
 *
 * ```yaml
 * node: web1                          # default: this machine's host name
 * brokerUrl: mqtts://broker.example.org:8883
 * username: web1
 * passwordFile: /etc/minke/agent.password   # or MINKE_AGENT_PASSWORD, or password: in this file
 * serverPublicKey: 3q2+7w...=         # base64 of the raw ed25519 key, or PEM; or a list of them
 * pluginsDir: /etc/minke/plugins
 * spoolDir: /var/lib/minke-agent/web1 # default: /var/lib/minke-agent/<node>, one per node
 * topicPrefix: minke/v1
 * brokerFingerprint: AB:CD:...        # SHA-256 of the broker's TLS certificate: only that one is accepted
 * brokerCa: |                         # the CA (PEM) that signed it; or caFile: a file with it
 *   -----BEGIN CERTIFICATE-----
 * ```
 *
 * Each key has a variable: `brokerUrl` is `MINKE_AGENT_BROKER_URL`, and so on. Credentials never
 * come from the command line (where `ps` shows them): the password is read from `passwordFile`,
 * from `MINKE_AGENT_PASSWORD`, or from the config file itself when no other user can read it.
 */
export interface AgentSettings {
  node: string;
  brokerUrl: string | undefined;
  username: string | undefined;
  password: string | undefined;
  /** The server's public key(s) as written; `serverKeys` holds them parsed. */
  serverPublicKeys: string[];
  serverKeys: KeyObject[];
  pluginsDir: string;
  spoolDir: string;
  topicPrefix: string;
  clientId: string;
  caFile: string | undefined;
  /** The CA certificate(s) of the broker, PEM, written inline by `minke agents enroll`. */
  brokerCa: string | undefined;
  /** The pinned SHA-256 fingerprint of the broker's certificate (`AB:CD:...`). */
  brokerFingerprint: string | undefined;
  /** Where the pin came from, for the message when a broker does not match it. */
  brokerFingerprintSource: string | undefined;
  /** 4 is MQTT 3.1.1 (works with every broker, the embedded aedes too); 5 is MQTT 5. */
  mqttVersion: 4 | 5;
  keepaliveSeconds: number;
  reconnectMinSeconds: number;
  reconnectMaxSeconds: number;
  /** How often unacknowledged results are sent again while connected. */
  resendIntervalSeconds: number;
  /** MQTT 5 only: how long the broker keeps the session (and queued requests) while offline. */
  sessionExpirySeconds: number;
  maxSpoolResults: number;
  concurrency: number;
  clockSkewSeconds: number;
  maxRequestTtlSeconds: number;
  logLevel: LogLevel;
  /** The file the settings came from, if any. */
  configFile: string | undefined;
}

/** A setting that is wrong, named by where it came from: `agent.yaml: brokerUrl: must be ...`. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

export const DEFAULT_CONFIG_FILE = '/etc/minke/agent.yaml';

export interface LoadSettingsOptions {
  /** `--config`; else `MINKE_AGENT_CONFIG`; else the default file when it exists. */
  configFile?: string;
  /** `--plugins`. */
  pluginsDir?: string;
  env?: NodeJS.ProcessEnv;
  /** `run` needs a broker and a server key; `list` does not. */
  forRun: boolean;
  /** Read when no file is named and it exists. Default {@link DEFAULT_CONFIG_FILE}. */
  defaultConfigFile?: string;
}

/** Reads and checks the settings; throws {@link ConfigError} with one clear line. */
export async function loadSettings(options: LoadSettingsOptions): Promise<AgentSettings> {
  const env = options.env ?? process.env;
  const { file, values: fromFile } = await readConfigFile(
    options.configFile ?? env['MINKE_AGENT_CONFIG'],
    options.defaultConfigFile ?? DEFAULT_CONFIG_FILE,
  );
  // Paths typed in a shell (the environment, --plugins) are from the folder the agent starts in;
  // a config file's are from the file's own folder, resolved in `check`.
  const fromEnv = fromCurrentFolder(readEnvironment(env));
  const raw: Raw = { ...fromFile, ...fromEnv };
  if (options.pluginsDir !== undefined)
    raw.pluginsDir = { value: resolve(options.pluginsDir), where: '--plugins' };
  const base = file ? dirname(file) : process.cwd();
  return check(raw, base, file, options.forRun);
}

/** A raw setting and where it came from, for messages. */
type Raw = Record<string, { value: unknown; where: string }>;

const KEYS = [
  'node',
  'brokerUrl',
  'username',
  'password',
  'passwordFile',
  'serverPublicKey',
  'pluginsDir',
  'spoolDir',
  'topicPrefix',
  'clientId',
  'caFile',
  'brokerCa',
  'brokerFingerprint',
  'mqttVersion',
  'keepaliveSeconds',
  'reconnectMinSeconds',
  'reconnectMaxSeconds',
  'resendIntervalSeconds',
  'sessionExpirySeconds',
  'maxSpoolResults',
  'concurrency',
  'clockSkewSeconds',
  'maxRequestTtlSeconds',
  'logLevel',
] as const;

/** `brokerUrl` -> `MINKE_AGENT_BROKER_URL`. */
export function envName(key: string): string {
  return `MINKE_AGENT_${key.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`;
}

async function readConfigFile(
  chosen: string | undefined,
  fallback: string,
): Promise<{ file: string | undefined; values: Raw }> {
  const file = chosen === undefined || chosen === '' ? await existing(fallback) : resolve(chosen);
  if (file === undefined) return { file, values: {} };
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new ConfigError(
      `${file}: cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
    );
  }
  let parsed: unknown;
  try {
    parsed = parseYaml(text, { schema: 'core', uniqueKeys: true, logLevel: 'error' });
  } catch (error) {
    throw new ConfigError(
      `${file}: not valid YAML or JSON: ${(error as Error).message.split('\n')[0]}`,
    );
  }
  if (parsed === null || parsed === undefined) return { file, values: {} };
  if (typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new ConfigError(`${file}: must be a mapping of settings (key: value)`);
  }
  const values: Raw = {};
  for (const [key, value] of Object.entries(parsed)) {
    if (!(KEYS as readonly string[]).includes(key)) {
      throw new ConfigError(`${file}: ${key}: unknown setting (known: ${KEYS.join(', ')})`);
    }
    values[key] = { value, where: `${file}: ${key}` };
  }
  if (values['password'] !== undefined) await refuseIfReadableByAll(file, 'password');
  return { file, values };
}

/** The settings that name a file or a folder. */
const PATH_KEYS = ['pluginsDir', 'spoolDir', 'caFile', 'passwordFile'] as const;

function fromCurrentFolder(raw: Raw): Raw {
  const resolved: Raw = { ...raw };
  for (const key of PATH_KEYS) {
    const setting = raw[key];
    if (typeof setting?.value === 'string')
      resolved[key] = { ...setting, value: resolve(setting.value) };
  }
  return resolved;
}

function readEnvironment(env: NodeJS.ProcessEnv): Raw {
  const values: Raw = {};
  for (const key of KEYS) {
    const value = env[envName(key)];
    if (value !== undefined && value !== '') values[key] = { value, where: envName(key) };
  }
  return values;
}

async function check(
  raw: Raw,
  base: string,
  file: string | undefined,
  forRun: boolean,
): Promise<AgentSettings> {
  const node = text(raw, 'node') ?? hostname();
  const nodeProblem = nodeNameProblem(node);
  if (nodeProblem)
    throw new ConfigError(`${where(raw, 'node', 'node (from the host name)')}: ${nodeProblem}`);
  const topicPrefix = text(raw, 'topicPrefix') ?? DEFAULT_TOPIC_PREFIX;
  const prefixProblem = topicPrefixProblem(topicPrefix);
  if (prefixProblem) throw new ConfigError(`${where(raw, 'topicPrefix')}: ${prefixProblem}`);
  const brokerUrl = text(raw, 'brokerUrl');
  if (brokerUrl !== undefined) checkBrokerUrl(brokerUrl, where(raw, 'brokerUrl'));
  const brokerFingerprint = fingerprint(raw, brokerUrl);
  const brokerCa = text(raw, 'brokerCa');
  if (brokerCa !== undefined && !brokerCa.includes('-----BEGIN CERTIFICATE-----')) {
    throw new ConfigError(`${where(raw, 'brokerCa')}: must be a PEM certificate`);
  }
  const serverPublicKeys = keyList(raw);
  const serverKeys = serverPublicKeys.map((key, index) => {
    const parsed = parsePublicKey(key);
    if (!parsed.ok)
      throw new ConfigError(
        `${where(raw, 'serverPublicKey')}${serverPublicKeys.length > 1 ? `[${index}]` : ''}: ${parsed.reason}`,
      );
    return parsed.value;
  });
  if (forRun && brokerUrl === undefined) throw missing('brokerUrl', file);
  if (forRun && serverKeys.length === 0) throw missing('serverPublicKey', file);
  const logLevel = text(raw, 'logLevel') ?? 'info';
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) {
    throw new ConfigError(`${where(raw, 'logLevel')}: must be one of ${LOG_LEVELS.join(', ')}`);
  }
  const mqttVersion = number(raw, 'mqttVersion', 4, 4, 5);
  if (mqttVersion !== 4 && mqttVersion !== 5)
    throw new ConfigError(`${where(raw, 'mqttVersion')}: must be 4 (MQTT 3.1.1) or 5`);
  const reconnectMinSeconds = number(raw, 'reconnectMinSeconds', 1, 0.01, 3600);
  return {
    node,
    brokerUrl,
    username: text(raw, 'username'),
    password: await password(raw, base),
    serverPublicKeys,
    serverKeys,
    pluginsDir: resolve(base, text(raw, 'pluginsDir') ?? '/etc/minke/plugins'),
    spoolDir: resolve(base, text(raw, 'spoolDir') ?? agentSpoolDir(node)),
    topicPrefix,
    clientId: text(raw, 'clientId') ?? `minke-agent-${node}`,
    caFile: pathSetting(raw, 'caFile', base),
    brokerCa,
    brokerFingerprint,
    brokerFingerprintSource:
      brokerFingerprint === undefined ? undefined : where(raw, 'brokerFingerprint'),
    mqttVersion,
    keepaliveSeconds: number(raw, 'keepaliveSeconds', 30, 1, 3600),
    reconnectMinSeconds,
    reconnectMaxSeconds: number(raw, 'reconnectMaxSeconds', 60, reconnectMinSeconds, 24 * 3600),
    resendIntervalSeconds: number(raw, 'resendIntervalSeconds', 60, 0.05, 24 * 3600),
    sessionExpirySeconds: number(raw, 'sessionExpirySeconds', 7 * 24 * 3600, 1, 0xffffffff),
    maxSpoolResults: number(raw, 'maxSpoolResults', 1000, 1, 1_000_000),
    concurrency: number(raw, 'concurrency', 2, 1, 64),
    clockSkewSeconds: number(raw, 'clockSkewSeconds', 300, 0, 24 * 3600),
    maxRequestTtlSeconds: number(raw, 'maxRequestTtlSeconds', 7 * 24 * 3600, 1, 365 * 24 * 3600),
    logLevel: logLevel as LogLevel,
    configFile: file,
  };
}

function where(raw: Raw, key: string, fallback = key): string {
  return raw[key]?.where ?? fallback;
}

function missing(key: string, file: string | undefined): ConfigError {
  const source = file ? `${file}: ` : '';
  return new ConfigError(
    `${source}${key} is not set (set it in the config file or in ${envName(key)})`,
  );
}

function text(raw: Raw, key: string): string | undefined {
  const entry = raw[key];
  if (entry === undefined || entry.value === null) return undefined;
  if (typeof entry.value === 'number') return String(entry.value);
  if (typeof entry.value !== 'string' || entry.value.trim() === '') {
    throw new ConfigError(`${entry.where}: must be a non-empty string`);
  }
  return entry.value.trim();
}

function pathSetting(raw: Raw, key: string, base: string): string | undefined {
  const value = text(raw, key);
  return value === undefined ? undefined : resolve(base, value);
}

function number(raw: Raw, key: string, fallback: number, min: number, max: number): number {
  const entry = raw[key];
  if (entry === undefined || entry.value === null) return fallback;
  const value =
    typeof entry.value === 'string' && entry.value.trim() !== ''
      ? Number(entry.value)
      : entry.value;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    throw new ConfigError(`${entry.where}: must be a number from ${min} to ${max}`);
  }
  return value;
}

function keyList(raw: Raw): string[] {
  const entry = raw['serverPublicKey'];
  if (entry === undefined || entry.value === null) return [];
  const values = Array.isArray(entry.value) ? (entry.value as unknown[]) : [entry.value];
  if (
    values.length === 0 ||
    values.some((value) => typeof value !== 'string' || value.trim() === '')
  ) {
    throw new ConfigError(`${entry.where}: must be a key (base64 or PEM) or a list of keys`);
  }
  return values as string[];
}

function checkBrokerUrl(url: string, where: string): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ConfigError(
      `${where}: ${JSON.stringify(url)} is not a URL (e.g. mqtts://broker.example.org:8883)`,
    );
  }
  if (!['mqtt:', 'mqtts:', 'tcp:', 'ssl:', 'ws:', 'wss:'].includes(parsed.protocol)) {
    throw new ConfigError(`${where}: must start with mqtt://, mqtts://, ws:// or wss://`);
  }
  if (parsed.password !== '') {
    throw new ConfigError(
      `${where}: must not contain a password; use passwordFile or ${envName('password')}`,
    );
  }
}

/** The pin, normalised; it only means something over TLS, so a plain URL with one is an error. */
function fingerprint(raw: Raw, brokerUrl: string | undefined): string | undefined {
  const value = text(raw, 'brokerFingerprint');
  if (value === undefined) return undefined;
  const normalized = normalizeFingerprint(value);
  if (normalized === undefined) {
    throw new ConfigError(
      `${where(raw, 'brokerFingerprint')}: must be a SHA-256 fingerprint (64 hex digits, colons allowed)`,
    );
  }
  if (brokerUrl !== undefined && !/^(mqtts|ssl|wss):/i.test(brokerUrl)) {
    throw new ConfigError(
      `${where(raw, 'brokerFingerprint')}: a pinned certificate needs a TLS broker URL (mqtts://), not ${brokerUrl}`,
    );
  }
  return normalized;
}

async function password(raw: Raw, base: string): Promise<string | undefined> {
  const inline = raw['password'];
  if (inline !== undefined) {
    if (typeof inline.value !== 'string')
      throw new ConfigError(`${inline.where}: must be a string`);
    return inline.value;
  }
  const file = pathSetting(raw, 'passwordFile', base);
  if (file === undefined) return undefined;
  await refuseIfReadableByAll(file, `${where(raw, 'passwordFile')} (${file})`);
  try {
    return (await readFile(file, 'utf8')).replace(/\r?\n$/, '');
  } catch (error) {
    throw new ConfigError(
      `${where(raw, 'passwordFile')}: ${file} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
    );
  }
}

/** A file holding a password must not be readable by every user (group-readable is fine). */
async function refuseIfReadableByAll(file: string, what: string): Promise<void> {
  if (process.platform === 'win32') return;
  const info = await stat(file).catch(() => undefined);
  if (info && (info.mode & 0o004) !== 0) {
    throw new ConfigError(
      `${what}: ${file} holds a password and is readable by every user; fix with chmod 600 ${file}`,
    );
  }
}

async function existing(file: string): Promise<string | undefined> {
  return (await stat(file).catch(() => undefined)) ? file : undefined;
}
