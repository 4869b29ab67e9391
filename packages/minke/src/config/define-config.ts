import type { ModelDefinition } from '../model/define-model.js';
import type { NotificationSettings } from '@minke/contract';
import type { PolicyDefinition } from './define-policy.js';
import type { InventorySourceDefinition } from './define-inventory-source.js';
import type { ConnectionConfigLayer } from '../transport/config/connection-config.js';

/**
 * What a project's `minke.config.ts` exports. Every setting may also come from a `MINKE_*`
 * environment variable (which wins); secrets (database password) come only from the environment
 * or files.
 *
 * @example
 *   export default defineConfig({
 *     database: 'sqlite:minke.db',
 *     models: [Server, App],
 *     sessions: [ServerInfo],
 *   });
 */
export interface MinkeConfig {
  /** `sqlite:FILE` (relative to the project) or `postgres://USER@HOST:PORT/DB`. Env: MINKE_DATABASE_URL. */
  database?: string;
  /**
   * PostgreSQL connections each Minke process keeps open at most (default 10). A worker that runs
   * hundreds of hosts at once (`maxParallelHosts`) writes for each of them: give it more, within
   * the server's `max_connections` across all processes. Env: MINKE_DATABASE_POOL_SIZE.
   */
  databasePoolSize?: number;
  models?: readonly ModelDefinition[];
  /** Session classes; see the sessions guide. */
  sessions?: readonly unknown[];
  /** Fact policies (`definePolicy`); see the policies guide. */
  policies?: readonly PolicyDefinition[];
  /** Inventory sources (`defineInventorySource`); see the inventory guide. */
  inventory?: readonly InventorySourceDefinition[];
  /**
   * Where notifications go and on what: `channels` (webhook, email, chat), global `rules`
   * (`{ on: ['run.failed', 'run.recovered'], channel: 'ops' }`) and `baseUrl` for links. Secrets
   * come from the credentials store (`{ credential: 'name' }`) or the environment (`{ env: 'NAME' }`).
   * See the notifications guide.
   */
  notifications?: NotificationSettings;
  /** Folder of agent plugin files (INI). Env: MINKE_PLUGINS_DIR. */
  pluginsDir?: string;
  /**
   * Connection defaults for every host (the project layer of the connection config,
   * keys as in a host's config). Unknown keys stop start-up, naming the key.
   */
  ssh?: ConnectionConfigLayer;
  /** Env: MINKE_LISTEN, MINKE_PORT. */
  server?: { listen?: string; port?: number };
  /**
   * Who runs sessions. `in-process` (the default): this process, hosts in parallel up to
   * `maxParallelHosts`. `bullmq`: a queue that `minke worker` processes (on any machine) take
   * work from, on Redis at `redisUrl` (the default when it is set), or else on the PostgreSQL
   * database; several `minke serve` may then run behind a load balancer. `queuePrefix` (default
   * `minke`) keeps installations sharing a Redis apart. `leaseTtlSeconds` (default 60): a worker
   * that stops (killed, machine gone) has its running sessions end failed ("worker lost") this
   * long after its last renewal. Env: MINKE_EXECUTOR, MINKE_MAX_PARALLEL_HOSTS, MINKE_REDIS_URL
   * (its password also from MINKE_REDIS_PASSWORD or MINKE_REDIS_PASSWORD_FILE),
   * MINKE_QUEUE_PREFIX, MINKE_LEASE_TTL_SECONDS.
   */
  executor?: {
    kind?: 'in-process' | 'bullmq';
    maxParallelHosts?: number;
    redisUrl?: string;
    queuePrefix?: string;
    leaseTtlSeconds?: number;
    /**
     * `minke start` runs the in-process executor's sessions in a worker thread of its own
     * (default true), so that a large run's SSH work does not hold up the API, the web admin and
     * the event stream, and a session's stray exception ends that thread, not the server. False:
     * in the server's thread. Env: MINKE_EXECUTOR_THREAD (1/0).
     */
    thread?: boolean;
    /**
     * How much lower than the server's thread the session thread runs, as `nice` counts (0 to 19,
     * default 10; Linux): when a large run and the API want the CPU at once, the API and the event
     * stream come first and the sessions take what is left. Commands it starts on the local
     * transport inherit it. 0: the same priority. Env: MINKE_EXECUTOR_THREAD_NICE.
     */
    threadNice?: number;
    /**
     * A session thread that has not answered the server's ping for this many seconds (default
     * 60) is terminated and replaced: its sessions end "worker lost". A session that never
     * yields (a loop without an `await`) would otherwise hold every session of the thread, with
     * their stops and time limits, until a restart. A `minke worker` or `minke run` whose event
     * loop is held that long is killed, saying why. Env: MINKE_EXECUTOR_THREAD_STALL_SECONDS.
     */
    threadStallSeconds?: number;
  };
  /**
   * How run events travel between processes: `memory` (one process only), `redis` (pub/sub on
   * `executor.redisUrl`) or `postgres` (LISTEN/NOTIFY on the PostgreSQL database). Default: `redis`
   * when a Redis URL is set; else `postgres` for the BullMQ executor on PostgreSQL; else `memory`.
   * Env: MINKE_EVENT_BUS.
   */
  eventBus?: 'memory' | 'redis' | 'postgres';
  /** Show tracebacks in session messages. Env: MINKE_DEBUG. */
  debug?: boolean;
  /**
   * The MQTT broker of agents. Without `url`, `minke start` runs the embedded broker on
   * `listen`:`port` (default 127.0.0.1:1884). Env: MINKE_MQTT_URL (an external broker, e.g.
   * `mqtts://minke-server@broker.example.org:8883`; its password in MINKE_MQTT_PASSWORD or
   * MINKE_MQTT_PASSWORD_FILE), MINKE_MQTT_LISTEN, MINKE_MQTT_PORT, MINKE_MQTT_TOPIC_PREFIX.
   *
   * `tls`: `true` makes the embedded broker listen with TLS only (mqtts://), with a CA and server
   * certificate generated on first start under `.minke/mqtt-tls/` (valid for localhost, this
   * machine's name, the listen address and `names`), or with your own `certFile`/`keyFile`.
   * `minke agents enroll` pins the certificate's fingerprint in the agent's config. For an
   * external mqtts:// broker, `caFile` and/or `fingerprint` say how the server (and enrolled
   * agents) verify it. Env: MINKE_MQTT_TLS=1, MINKE_MQTT_TLS_CERT_FILE, MINKE_MQTT_TLS_KEY_FILE,
   * MINKE_MQTT_TLS_CA_FILE, MINKE_MQTT_TLS_FINGERPRINT, MINKE_MQTT_TLS_NAMES (comma-separated).
   */
  mqtt?: {
    url?: string;
    listen?: string;
    port?: number;
    topicPrefix?: string;
    /**
     * With an external broker only: the MQTT 5 shared-subscription group of this server's gateway
     * (MINKE_MQTT_SHARED_GROUP), so several servers on one broker each store a share of the
     * results. Needs Mosquitto 1.6 or later, or EMQX.
     */
    sharedGroup?: string;
    tls?:
      | boolean
      | {
          enabled?: boolean;
          certFile?: string;
          keyFile?: string;
          caFile?: string;
          fingerprint?: string;
          names?: string[];
        };
  };
  /**
   * `createHostsForUnknownNodes`: add a host for a node that has none of its name (default
   * false). `signingKeyFile`: the server's private request-signing key (default
   * `.minke/server-signing-key.pem` in the project, created mode 600). `maxResultBytes` and
   * `maxResultsPerMinute`: each node's quota (default 1 MiB per result, 120 results a minute);
   * a result over it is refused, the agent told why and the reason shown on the agents page.
   * Env: MINKE_CREATE_HOSTS_FOR_UNKNOWN_NODES, MINKE_SIGNING_KEY_FILE,
   * MINKE_AGENT_MAX_RESULT_BYTES, MINKE_AGENT_MAX_RESULTS_PER_MINUTE.
   */
  agents?: {
    createHostsForUnknownNodes?: boolean;
    signingKeyFile?: string;
    maxResultBytes?: number;
    maxResultsPerMinute?: number;
  };
  /**
   * The audit log. `retentionDays`: rows older than this are pruned (daily, by the server), and
   * one `audit.pruned` row keeps the chain verifiable; default: kept forever.
   * Env: MINKE_AUDIT_RETENTION_DAYS.
   */
  audit?: {
    retentionDays?: number;
  };
}

export function defineConfig(config: MinkeConfig): MinkeConfig {
  return config;
}
