import type { ResolvedConfig } from '../../config/resolve-config.js';
import { SetupError } from '../../errors.js';
import type { Database } from '../../store/database.js';
import type { QueueBackend } from './queue-backend.js';

/** What choosing the queue backend reads of a project: its settings and its database's kind. */
export interface QueueBackendSource {
  config: Pick<ResolvedConfig, 'executor' | 'database'>;
  database: Pick<Database, 'adapter'>;
}

/** The queue backend the project's configuration names. */
export function queueBackendOf(project: QueueBackendSource): QueueBackend {
  const { executor, database } = project.config;
  if (executor.redisUrl) {
    return {
      kind: 'redis',
      url: executor.redisUrl,
      password: executor.redisPassword,
      prefix: executor.queuePrefix,
    };
  }
  if (project.database.adapter.kind !== 'postgres') {
    throw new SetupError('the BullMQ executor needs MINKE_REDIS_URL or a PostgreSQL database');
  }
  return {
    kind: 'postgres',
    url: database.url,
    password: database.password,
    schema: `${executor.queuePrefix.replace(/-/g, '_')}_queue`,
  };
}
