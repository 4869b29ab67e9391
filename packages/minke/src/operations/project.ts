import type { ResolvedConfig } from '../config/resolve-config.js';
import type { ModelRegistry } from '../model/model-registry.js';
import type { RecordRepository } from '../records/record-repository.js';
import type { SessionRegistry } from '../session/session-registry.js';
import type { Database } from '../store/database.js';
import type { HostOperations } from './hosts.js';
import type { PermissionOperations } from './permissions.js';
import type { UserOperations } from './users.js';

/**
 * A loaded project as operations see it: its config, database, models and sessions, and the
 * operations on hosts, users and permissions. Opened by `openProject` (`src/runtime/`); the type
 * lives here so that operations and feature folders can take a project without importing the
 * wiring above them.
 */
export interface Project {
  readonly config: ResolvedConfig;
  readonly database: Database;
  readonly models: ModelRegistry;
  readonly sessions: SessionRegistry;
  readonly records: RecordRepository;
  readonly hosts: HostOperations;
  readonly users: UserOperations;
  readonly permissions: PermissionOperations;
  close(): Promise<void>;
}
