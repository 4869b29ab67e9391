import type { Logger } from '../logger.js';
import type { ResolvedConfig } from '../config/resolve-config.js';
import type { EventBus } from './event-bus.js';
import { MemoryEventBus } from './memory-event-bus.js';
import { DeferredEventBus } from './deferred-event-bus.js';

/**
 * The event bus the project's configuration names (`eventBus` / MINKE_EVENT_BUS): in memory, or
 * across processes on Redis or PostgreSQL. A distributed bus's client library is loaded on demand,
 * so the bus is usable at once and delivers once `ready()` resolves.
 */
export function createEventBus(
  project: { config: ResolvedConfig; database: { schema?: string | undefined } },
  logger: Logger,
): EventBus {
  const { config } = project;
  switch (config.eventBus) {
    case 'memory':
      return new MemoryEventBus({
        onHandlerError: (error) => logger.error({ err: error }, 'event handler failed'),
      });
    case 'redis':
      return new DeferredEventBus(
        import('./redis/redis-event-bus.js').then(
          ({ RedisEventBus }) =>
            new RedisEventBus({
              url: config.executor.redisUrl ?? '',
              password: config.executor.redisPassword,
              prefix: config.executor.queuePrefix,
              logger,
            }),
        ),
      );
    case 'postgres':
      return new DeferredEventBus(
        import('./postgres/postgres-event-bus.js').then(
          ({ PostgresEventBus }) =>
            new PostgresEventBus({
              url: config.database.url,
              password: config.database.password,
              schema: project.database.schema,
              prefix: config.executor.queuePrefix,
              logger,
            }),
        ),
      );
  }
}
