import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { normalizeFingerprint } from '@minke/protocol/broker-pin';
import { z } from 'zod';
import { SetupError } from '../errors.js';
import {
  type ConnectionConfigLayer,
  connectionConfigLayerSchema,
} from '../transport/config/connection-config.js';
import type { MinkeConfig } from './define-config.js';

/** Configuration after defaults and environment variables: what the rest of Minke reads. */
export interface ResolvedConfig {
  projectDir: string;
  configFile: string;
  database: {
    url: string;
    password: string | undefined;
    /** PostgreSQL connections this process keeps open at most (default 10); SQLite has one. */
    poolSize?: number | undefined;
  };
  models: readonly unknown[];
  sessions: readonly unknown[];
  /** Fact policies (`definePolicy`), checked when the policies are first used. */
  policies?: readonly unknown[];
  /** Inventory sources (`defineInventorySource`), checked when the inventory is first used. */
  inventory?: readonly unknown[];
  /** Notification channels and global rules, checked when notifications start (src/notifications/). */
  notifications?: unknown;
  pluginsDir: string;
  /** The project's connection defaults: one layer of connection config, checked at start-up. */
  ssh: ConnectionConfigLayer;
  server: { listen: string; port: number };
  /**
   * Who runs sessions: `in-process` (this process), or `bullmq` (a queue that `minke worker`
   * processes take batches from; on Redis when `redisUrl` is set, else on the PostgreSQL database).
   */
  executor: {
    kind: 'in-process' | 'bullmq';
    maxParallelHosts: number;
    redisUrl: string | undefined;
    redisPassword: string | undefined;
    /** Namespaces queue and event keys on Redis (and the queue's schema on PostgreSQL). */
    queuePrefix: string;
    /** How long a host lease lasts unrenewed: a lost worker's sessions end after it. */
    leaseTtlMs: number;
    /** `minke start` runs in-process sessions in a worker thread (see `MinkeConfig.executor`). */
    thread: boolean;
    /** How much lower the session thread's priority is than the server's (`nice`, 0–19). */
    threadNice: number;
    /** A session thread silent this long is terminated (see `MinkeConfig.executor`). */
    threadStallMs: number;
  };
  /** `/metrics` needs `Authorization: Bearer <token>` when set (MINKE_METRICS_TOKEN[_FILE]). */
  metrics: { token: string | undefined };
  /** How run events travel between processes (see `MinkeConfig.eventBus`). */
  eventBus: EventBusKind;
  debug: boolean;
  /** The MQTT broker agents talk to: the embedded one unless `url` names an external one. */
  mqtt: {
    url: string | undefined;
    password: string | undefined;
    listen: string;
    port: number;
    topicPrefix: string;
    /** The gateway's MQTT 5 shared-subscription group (external brokers only). */
    sharedGroup: string | undefined;
    tls: BrokerTlsConfig;
  };
  agents: {
    createHostsForUnknownNodes: boolean;
    signingKeyFile: string;
    /** A result message bigger than this is refused (default 1 MiB). */
    maxResultBytes: number;
    /** Results one node may send per minute, bursts included (default 120). */
    maxResultsPerMinute: number;
  };
  audit: {
    /** Days audit rows are kept; undefined: forever. */
    retentionDays: number | undefined;
  };
}

/**
 * TLS for the agents' broker. `enabled` turns it on for the embedded broker (an external one is
 * TLS when its URL is mqtts:// or wss://). `certFile`/`keyFile`: the user's own certificate;
 * without them one is generated under `generatedDir`. `caFile` and `fingerprint` are what agents
 * and the gateway trust (for an external broker: how the gateway verifies it).
 */
export interface BrokerTlsConfig {
  enabled: boolean;
  certFile: string | undefined;
  keyFile: string | undefined;
  caFile: string | undefined;
  /** SHA-256, `AB:CD:...`. */
  fingerprint: string | undefined;
  /** Extra DNS names / IP addresses the generated server certificate is valid for. */
  names: string[];
  generatedDir: string;
}

const eventBusKinds = ['memory', 'redis', 'postgres'] as const;
export type EventBusKind = (typeof eventBusKinds)[number];

const configShape = z.strictObject({
  database: z.string().min(1).optional(),
  databasePoolSize: z.number().int().min(1).max(1000).optional(),
  models: z.array(z.unknown()).optional(),
  sessions: z.array(z.unknown()).optional(),
  policies: z.array(z.unknown()).optional(),
  inventory: z.array(z.unknown()).optional(),
  notifications: z.unknown().optional(),
  pluginsDir: z.string().min(1).optional(),
  ssh: z.record(z.string(), z.unknown()).optional(),
  server: z
    .strictObject({
      listen: z.string().min(1).optional(),
      port: z.number().int().min(0).max(65535).optional(),
    })
    .optional(),
  executor: z
    .strictObject({
      kind: z.enum(['in-process', 'bullmq']).optional(),
      maxParallelHosts: z.number().int().min(1).optional(),
      redisUrl: z.string().min(1).optional(),
      queuePrefix: z
        .string()
        .regex(/^[a-z][a-z0-9_-]*$/, 'lower-case letters, digits, _ and -, starting with a letter')
        .optional(),
      leaseTtlSeconds: z.number().int().min(1).max(3600).optional(),
      thread: z.boolean().optional(),
      threadNice: z.number().int().min(0).max(19).optional(),
      threadStallSeconds: z.number().int().min(1).max(86_400).optional(),
    })
    .optional(),
  eventBus: z.enum(eventBusKinds).optional(),
  debug: z.boolean().optional(),
  mqtt: z
    .strictObject({
      url: z.string().min(1).optional(),
      listen: z.string().min(1).optional(),
      port: z.number().int().min(0).max(65535).optional(),
      topicPrefix: z.string().min(1).optional(),
      sharedGroup: z.string().min(1).optional(),
      tls: z
        .union([
          z.boolean(),
          z.strictObject({
            enabled: z.boolean().optional(),
            certFile: z.string().min(1).optional(),
            keyFile: z.string().min(1).optional(),
            caFile: z.string().min(1).optional(),
            fingerprint: z.string().min(1).optional(),
            names: z.array(z.string().min(1)).optional(),
          }),
        ])
        .optional(),
    })
    .optional(),
  agents: z
    .strictObject({
      createHostsForUnknownNodes: z.boolean().optional(),
      signingKeyFile: z.string().min(1).optional(),
      maxResultBytes: z
        .number()
        .int()
        .min(1024)
        .max(16 * 1024 * 1024)
        .optional(),
      maxResultsPerMinute: z.number().int().min(1).max(1_000_000).optional(),
    })
    .optional(),
  audit: z
    .strictObject({ retentionDays: z.number().int().min(1).max(365_000).optional() })
    .optional(),
});

type Env = Record<string, string | undefined>;

/**
 * The config is parsed once per process: zod's fast path for objects would first generate and
 * compile a parser of its own (some 25 kB of JavaScript for these schemas), which costs every
 * command more than it saves. Same checks, same result.
 */
const ONCE = { jitless: true } as const;

/**
 * Applies defaults and `MINKE_*` variables to a project's config, and checks it. Errors name the
 * setting and where it came from.
 */
export function resolveConfig(
  raw: unknown,
  where: { projectDir: string; configFile: string },
  env: Env = process.env,
): ResolvedConfig {
  const parsed = configShape.safeParse(raw ?? {}, ONCE);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const key =
      issue?.code === 'unrecognized_keys' ? issue.keys.join(', ') : (issue?.path.join('.') ?? '');
    const reason =
      issue?.code === 'unrecognized_keys' ? 'unknown setting' : (issue?.message ?? 'invalid');
    throw new SetupError(`${where.configFile}: ${key}: ${reason}`);
  }
  const config: MinkeConfig = parsed.data as MinkeConfig;
  const executor = executorConfig(config, env, where.configFile);
  return {
    ...where,
    database: {
      url: env['MINKE_DATABASE_URL'] || (config.database ?? 'sqlite:minke.db'),
      password: secret(env, 'MINKE_DATABASE_PASSWORD'),
      poolSize: intFromEnv(env, 'MINKE_DATABASE_POOL_SIZE', 1, 1000) ?? config.databasePoolSize,
    },
    models: config.models ?? [],
    sessions: config.sessions ?? [],
    policies: config.policies ?? [],
    inventory: config.inventory ?? [],
    notifications: config.notifications,
    pluginsDir: env['MINKE_PLUGINS_DIR'] || (config.pluginsDir ?? 'plugins'),
    ssh: sshDefaults(config.ssh, where.configFile),
    server: {
      listen: env['MINKE_LISTEN'] || (config.server?.listen ?? '127.0.0.1'),
      port: intFromEnv(env, 'MINKE_PORT', 0, 65535) ?? config.server?.port ?? 8000,
    },
    executor,
    metrics: { token: secret(env, 'MINKE_METRICS_TOKEN') },
    eventBus: eventBusConfig(config, env, executor, where.configFile),
    debug: boolFromEnv(env, 'MINKE_DEBUG') ?? config.debug ?? false,
    mqtt: {
      url: env['MINKE_MQTT_URL'] || config.mqtt?.url,
      password: secret(env, 'MINKE_MQTT_PASSWORD'),
      listen: env['MINKE_MQTT_LISTEN'] || config.mqtt?.listen || '127.0.0.1',
      // 1884, not 1883: a machine often runs Mosquitto on 1883 already.
      port: intFromEnv(env, 'MINKE_MQTT_PORT', 0, 65535) ?? config.mqtt?.port ?? 1884,
      topicPrefix: env['MINKE_MQTT_TOPIC_PREFIX'] || config.mqtt?.topicPrefix || 'minke/v1',
      sharedGroup: env['MINKE_MQTT_SHARED_GROUP'] || config.mqtt?.sharedGroup,
      tls: brokerTlsConfig(config, env, where),
    },
    agents: {
      createHostsForUnknownNodes:
        boolFromEnv(env, 'MINKE_CREATE_HOSTS_FOR_UNKNOWN_NODES') ??
        config.agents?.createHostsForUnknownNodes ??
        false,
      signingKeyFile: resolve(
        where.projectDir,
        env['MINKE_SIGNING_KEY_FILE'] ||
          config.agents?.signingKeyFile ||
          '.minke/server-signing-key.pem',
      ),
      maxResultBytes:
        intFromEnv(env, 'MINKE_AGENT_MAX_RESULT_BYTES', 1024, 16 * 1024 * 1024) ??
        config.agents?.maxResultBytes ??
        1024 * 1024,
      maxResultsPerMinute:
        intFromEnv(env, 'MINKE_AGENT_MAX_RESULTS_PER_MINUTE', 1, 1_000_000) ??
        config.agents?.maxResultsPerMinute ??
        120,
    },
    audit: {
      retentionDays:
        intFromEnv(env, 'MINKE_AUDIT_RETENTION_DAYS', 1, 365_000) ?? config.audit?.retentionDays,
    },
  };
}

/**
 * The `ssh:` setting is a connection config layer: checked here, so that a typo (`identityFile`)
 * stops start-up with its name instead of failing the first run.
 */
function sshDefaults(raw: unknown, configFile: string): ConnectionConfigLayer {
  const parsed = connectionConfigLayerSchema.safeParse(raw ?? {}, ONCE);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => {
    if (issue.code === 'unrecognized_keys') {
      const names = issue.keys.map((key) => ['ssh', ...issue.path, key].join('.'));
      const known = issue.path.length === 0 ? ` (known: ${knownSshSettings()})` : '';
      return `${names.join(', ')}: unknown setting${known}`;
    }
    return `${['ssh', ...issue.path].join('.')}: ${issue.message}`;
  });
  throw new SetupError(`${configFile}: ${problems.join('; ')}`);
}

function knownSshSettings(): string {
  return Object.keys(connectionConfigLayerSchema.shape).join(', ');
}

function brokerTlsConfig(
  config: MinkeConfig,
  env: Env,
  where: { projectDir: string; configFile: string },
): BrokerTlsConfig {
  const raw = config.mqtt?.tls;
  const own = typeof raw === 'object' ? raw : {};
  const path = (name: string, value: string | undefined) => {
    const chosen = env[name] || value;
    return chosen ? resolve(where.projectDir, chosen) : undefined;
  };
  const certFile = path('MINKE_MQTT_TLS_CERT_FILE', own.certFile);
  const keyFile = path('MINKE_MQTT_TLS_KEY_FILE', own.keyFile);
  if ((certFile === undefined) !== (keyFile === undefined)) {
    throw new SetupError(
      `${where.configFile}: mqtt.tls: certFile and keyFile (MINKE_MQTT_TLS_CERT_FILE, MINKE_MQTT_TLS_KEY_FILE) go together`,
    );
  }
  const fingerprintText = env['MINKE_MQTT_TLS_FINGERPRINT'] || own.fingerprint;
  const fingerprint =
    fingerprintText === undefined ? undefined : normalizeFingerprint(fingerprintText);
  if (fingerprintText !== undefined && fingerprint === undefined) {
    throw new SetupError(
      `mqtt.tls.fingerprint / MINKE_MQTT_TLS_FINGERPRINT "${fingerprintText}": expected a SHA-256 fingerprint (64 hex digits, colons allowed)`,
    );
  }
  const namesFromEnv = env['MINKE_MQTT_TLS_NAMES'];
  return {
    enabled:
      boolFromEnv(env, 'MINKE_MQTT_TLS') ??
      (raw === true ||
        (typeof raw === 'object' && raw.enabled !== false) ||
        certFile !== undefined),
    certFile,
    keyFile,
    caFile: path('MINKE_MQTT_TLS_CA_FILE', own.caFile),
    fingerprint,
    names: namesFromEnv
      ? namesFromEnv
          .split(',')
          .map((name) => name.trim())
          .filter((name) => name !== '')
      : (own.names ?? []),
    generatedDir: resolve(where.projectDir, '.minke/mqtt-tls'),
  };
}

function executorConfig(
  config: MinkeConfig,
  env: Env,
  configFile: string,
): ResolvedConfig['executor'] {
  const redisUrl = env['MINKE_REDIS_URL'] || config.executor?.redisUrl;
  const kindText =
    env['MINKE_EXECUTOR'] || config.executor?.kind || (redisUrl ? 'bullmq' : 'in-process');
  if (kindText !== 'in-process' && kindText !== 'bullmq') {
    throw new SetupError(`MINKE_EXECUTOR="${kindText}": expected in-process or bullmq`);
  }
  const database = env['MINKE_DATABASE_URL'] || (config.database ?? 'sqlite:minke.db');
  if (kindText === 'bullmq' && !redisUrl && !/^postgres(ql)?:/.test(database)) {
    throw new SetupError(
      `${configFile}: executor: bullmq needs a queue: set MINKE_REDIS_URL (Redis), or use a PostgreSQL database (BullMQ's PostgreSQL backend)`,
    );
  }
  const queuePrefix = env['MINKE_QUEUE_PREFIX'] || config.executor?.queuePrefix || 'minke';
  if (!/^[a-z][a-z0-9_-]*$/.test(queuePrefix)) {
    throw new SetupError(
      `MINKE_QUEUE_PREFIX="${queuePrefix}": lower-case letters, digits, _ and -, starting with a letter`,
    );
  }
  return {
    kind: kindText,
    maxParallelHosts:
      intFromEnv(env, 'MINKE_MAX_PARALLEL_HOSTS', 1, 100_000) ??
      config.executor?.maxParallelHosts ??
      256,
    redisUrl,
    redisPassword: secret(env, 'MINKE_REDIS_PASSWORD'),
    queuePrefix,
    leaseTtlMs:
      1000 *
      (intFromEnv(env, 'MINKE_LEASE_TTL_SECONDS', 1, 3600) ??
        config.executor?.leaseTtlSeconds ??
        60),
    thread: boolFromEnv(env, 'MINKE_EXECUTOR_THREAD') ?? config.executor?.thread ?? true,
    threadNice:
      intFromEnv(env, 'MINKE_EXECUTOR_THREAD_NICE', 0, 19) ?? config.executor?.threadNice ?? 10,
    threadStallMs:
      1000 *
      (intFromEnv(env, 'MINKE_EXECUTOR_THREAD_STALL_SECONDS', 1, 86_400) ??
        config.executor?.threadStallSeconds ??
        60),
  };
}

function eventBusConfig(
  config: MinkeConfig,
  env: Env,
  executor: ResolvedConfig['executor'],
  configFile: string,
): EventBusKind {
  const fromEnv = env['MINKE_EVENT_BUS'];
  const where = fromEnv ? `MINKE_EVENT_BUS="${fromEnv}"` : `${configFile}: eventBus`;
  const kind =
    fromEnv ||
    config.eventBus ||
    (executor.redisUrl ? 'redis' : executor.kind === 'bullmq' ? 'postgres' : 'memory');
  if (!(eventBusKinds as readonly string[]).includes(kind))
    throw new SetupError(`${where}: expected memory, redis or postgres`);
  const database = env['MINKE_DATABASE_URL'] || (config.database ?? 'sqlite:minke.db');
  if (kind === 'redis' && !executor.redisUrl)
    throw new SetupError(`${where}: the Redis event bus needs MINKE_REDIS_URL (executor.redisUrl)`);
  if (kind === 'postgres' && !/^postgres(ql)?:/.test(database))
    throw new SetupError(
      `${where}: the PostgreSQL event bus needs a PostgreSQL database (MINKE_DATABASE_URL=postgres://...)`,
    );
  if (kind === 'memory' && executor.kind === 'bullmq')
    throw new SetupError(
      `${where}: memory cannot carry events from minke worker processes to servers: use redis or postgres with the BullMQ executor`,
    );
  return kind as EventBusKind;
}

/** A secret from `NAME` or from the file named by `NAME_FILE`; never from argv. */
export function secret(env: Env, name: string): string | undefined {
  const direct = env[name];
  if (direct !== undefined && direct !== '') return direct;
  const file = env[`${name}_FILE`];
  if (file === undefined || file === '') return undefined;
  try {
    return readFileSync(file, 'utf8').replace(/\r?\n$/, '');
  } catch (error) {
    throw new SetupError(
      `${name}_FILE: cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
    );
  }
}

function intFromEnv(env: Env, name: string, min: number, max: number): number | undefined {
  const text = env[name];
  if (text === undefined || text === '') return undefined;
  const value = Number(text);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new SetupError(`${name}="${text}": expected a whole number from ${min} to ${max}`);
  }
  return value;
}

function boolFromEnv(env: Env, name: string): boolean | undefined {
  const text = env[name];
  if (text === undefined || text === '') return undefined;
  if (/^(1|true|yes|on)$/i.test(text)) return true;
  if (/^(0|false|no|off)$/i.test(text)) return false;
  throw new SetupError(`${name}="${text}": expected true or false`);
}
