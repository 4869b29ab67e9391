import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import { sql } from 'kysely';
import type { EventBus } from '../events/event-bus.js';
import type { Logger } from '../logger.js';
import type { Project } from '../operations/project.js';

/** Resolves when the part answers; rejects (with the reason, for the log) when it does not. */
export type ReadinessCheck = () => Promise<void>;

export interface ReadinessReport {
  ready: boolean;
  /** Each part: `ok`, `unreachable` or `timeout` (details go to the log, not to the caller). */
  checks: Record<string, 'ok' | 'unreachable' | 'timeout'>;
  down: string[];
}

/**
 * What a server needs to do its work, asked at each `/readyz`: the database, Redis when one is
 * configured, the MQTT broker when agent services run. Parts that start later (agent services)
 * add their check when they are up.
 *
 * @example
 *   const readiness = new Readiness(logger);
 *   readiness.add('database', () => ping(database));
 *   const { ready, down } = await readiness.report();
 */
export class Readiness {
  private readonly checks = new Map<string, ReadinessCheck>();

  constructor(
    private readonly logger: Logger,
    private readonly timeoutMs = 3000,
  ) {}

  add(name: string, check: ReadinessCheck): void {
    this.checks.set(name, check);
  }

  remove(name: string): void {
    this.checks.delete(name);
  }

  async report(): Promise<ReadinessReport> {
    const entries = [...this.checks];
    const outcomes = await Promise.all(entries.map(([name, check]) => this.run(name, check)));
    const checks = Object.fromEntries(entries.map(([name], i) => [name, outcomes[i] ?? 'ok']));
    const down = entries.map(([name]) => name).filter((name) => checks[name] !== 'ok');
    return { ready: down.length === 0, checks, down };
  }

  private async run(
    name: string,
    check: ReadinessCheck,
  ): Promise<'ok' | 'unreachable' | 'timeout'> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>(
      (resolve) => (timer = setTimeout(() => resolve('timeout'), this.timeoutMs)),
    );
    const outcome = await Promise.race([
      check().then(
        () => 'ok' as const,
        (error: unknown) => {
          this.logger.warn({ err: error, part: name }, 'readiness check failed');
          return 'unreachable' as const;
        },
      ),
      timeout,
    ]);
    clearTimeout(timer);
    if (outcome === 'timeout') this.logger.warn({ part: name }, 'readiness check timed out');
    return outcome;
  }
}

/** The checks every server has: the database, and Redis (PING) when a Redis URL is configured. */
export function addCoreChecks(
  readiness: Readiness,
  project: Project,
  app: FastifyInstance,
  logger: Logger,
): void {
  readiness.add('database', async () => {
    await sql`SELECT 1`.execute(project.database.db);
  });
  const { redisUrl, redisPassword } = project.config.executor;
  if (redisUrl === undefined) return;
  let client: Promise<Redis> | undefined;
  const open = async () => {
    const ioredis = await import('ioredis'); // loaded only where Redis is configured
    const redis = new ioredis.Redis(redisUrl, {
      ...(redisPassword === undefined ? {} : { password: redisPassword }),
      connectionName: 'minke:readyz',
      lazyConnect: true,
      // A check must answer now: no queueing while Redis is away, no waiting for a reconnect.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      retryStrategy: (times) => Math.min(200 * times, 2000),
    });
    redis.on('error', (error: unknown) =>
      logger.debug({ err: error }, 'readiness: Redis connection error'),
    );
    return redis;
  };
  readiness.add('redis', async () => {
    const redis = await (client ??= open());
    if (redis.status === 'wait') await redis.connect();
    await redis.ping();
  });
  app.addHook('onClose', async () => {
    const redis = await client;
    redis?.disconnect();
  });
}

/** `GET /readyz`: 200 when every part answers, else 503 naming the parts that do not. */
export function registerReadinessRoute(
  app: FastifyInstance,
  readiness: Readiness,
  project: Project,
): void {
  app.get('/readyz', { schema: { hide: true } }, async function readyz(_request, reply) {
    const { ready, checks, down } = await readiness.report();
    if (ready) return { status: 'ready', database: project.database.adapter.kind, checks };
    return reply
      .code(503)
      .send({ status: 'unavailable', reason: `${down.join(', ')} unreachable`, down, checks });
  });
}

/**
 * Waits a bounded time for the event bus (Redis, PostgreSQL) before a server listens. A bus that
 * does not answer must not keep the server from coming up: it serves, `/readyz` names what is
 * down, and the bus connects when it can.
 */
export async function eventBusReadyOrLater(
  bus: EventBus,
  logger: Logger,
  timeoutMs = 5000,
): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>(
    (resolve) => (timer = setTimeout(() => resolve('late'), timeoutMs)),
  );
  const outcome = await Promise.race([
    bus.ready().then(
      () => 'ready' as const,
      () => 'failed' as const,
    ),
    late,
  ]);
  clearTimeout(timer);
  if (outcome !== 'ready')
    logger.warn(
      { seconds: timeoutMs / 1000 },
      'the event bus is not ready: serving anyway (see /readyz); it connects when it can',
    );
}
