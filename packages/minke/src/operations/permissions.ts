import { auditedTransaction } from '../audit/audit-log.js';
import { isCredentialPermission } from '../credentials/credential-permissions.js';
import { snakeCase } from '../model/define-model.js';
import type { ModelRegistry } from '../model/model-registry.js';
import { NotFoundError } from '../errors.js';
import type { SessionRegistry } from '../session/session-registry.js';
import type { DatabaseHandle } from '../store/transaction.js';
import { PermissionStore } from '../users/permission-store.js';
import { UserStore } from '../users/user-store.js';
import { trustHostKeyPermission } from '../hosts/host-key-permission.js';
import { manageConnectionsPermission } from './connection-guard.js';
import { jobPermissions } from '../auth/job-access.js';
import type { RunUser } from '../auth/run-user.js';

export const MODEL_ACTIONS = ['view', 'add', 'change', 'delete'] as const;

/**
 * Every permission the project defines: four per model, one run permission per session, and
 * Minke's own (manage_connections, trust_host_key).
 */
export function projectPermissions(
  models: ModelRegistry,
  sessions: SessionRegistry,
): { codename: string; name: string }[] {
  const out: { codename: string; name: string }[] = [
    { ...manageConnectionsPermission },
    { ...trustHostKeyPermission },
    ...jobPermissions.map((p) => ({ ...p })),
  ];
  for (const model of models.models.values()) {
    for (const action of MODEL_ACTIONS) {
      out.push({
        codename: `${action}_${snakeCase(model.name)}`,
        name: `Can ${action} ${model.name}`,
      });
    }
  }
  for (const session of sessions.sessions.values()) {
    for (const codename of session.permissions) {
      if (!out.some((p) => p.codename === codename))
        out.push({ codename, name: `Can run ${session.verboseName}` });
    }
  }
  return out;
}

/** Permissions, and who holds them. */
export class PermissionOperations {
  private readonly permissions: PermissionStore;
  private readonly users: UserStore;

  constructor(private readonly database: DatabaseHandle) {
    this.permissions = new PermissionStore(database);
    this.users = new UserStore(database);
  }

  /**
   * Creates the permissions the project defines and, with `prune`, deletes the ones it no longer
   * does (the grants go with them). Returns what changed.
   */
  async sync(
    wanted: { codename: string; name: string }[],
    options: { prune?: boolean } = {},
  ): Promise<{ created: string[]; deleted: string[] }> {
    const existing = await this.permissions.codenames();
    const created = wanted.filter((p) => !existing.has(p.codename));
    await this.permissions.insert(created);
    const keep = new Set(wanted.map((p) => p.codename));
    // The credentials store's permissions are not the project's to prune.
    const deleted = options.prune
      ? [...existing].filter((codename) => !keep.has(codename) && !isCredentialPermission(codename))
      : [];
    await this.permissions.delete(deleted);
    return { created: created.map((p) => p.codename), deleted };
  }

  async list(): Promise<{ codename: string; name: string }[]> {
    return this.permissions.list();
  }

  async grant(userId: number, codenames: readonly string[]): Promise<void> {
    const ids = await this.idsOf(codenames);
    await auditedTransaction(this.database, async (trx, audit) => {
      const users = this.users.in(trx);
      const held = await users.directPermissionIds(userId);
      await users.addUserPermissions(
        userId,
        ids.filter((id) => !held.has(id)),
      );
      await audit({
        action: 'permission.grant',
        targetType: 'user',
        targetId: userId,
        after: { permissions: [...codenames] },
      });
    });
  }

  async revoke(userId: number, codenames: readonly string[]): Promise<void> {
    const ids = await this.idsOf(codenames);
    await auditedTransaction(this.database, async (trx, audit) => {
      await this.users.in(trx).removeUserPermissions(userId, ids);
      await audit({
        action: 'permission.revoke',
        targetType: 'user',
        targetId: userId,
        before: { permissions: [...codenames] },
      });
    });
  }

  /** What a user may do: their own permissions and their groups'. */
  async runUser(user: { id: number; isSuperuser: boolean }): Promise<RunUser> {
    return {
      id: user.id,
      isSuperuser: user.isSuperuser,
      permissions: new Set(await this.users.allPermissionsOf(user.id)),
    };
  }

  private async idsOf(codenames: readonly string[]): Promise<number[]> {
    const idOf = await this.permissions.idsByCodename(codenames);
    const missing = codenames.filter((c) => !idOf.has(c));
    if (missing.length > 0) {
      throw new NotFoundError(
        `unknown permission(s): ${missing.join(', ')} (run \`minke permissions sync\`, then \`minke permissions list\`)`,
      );
    }
    return [...new Set(idOf.values())];
  }
}
