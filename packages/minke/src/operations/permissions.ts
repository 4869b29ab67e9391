import { recordAudit } from '../audit/audit-log.js';
import { isCredentialPermission } from '../credentials/credential-permissions.js';
import { snakeCase } from '../model/define-model.js';
import type { ModelRegistry } from '../model/model-registry.js';
import { NotFoundError } from '../errors.js';
import type { SessionRegistry } from '../session/session-registry.js';
import type { Database, DynamicKysely } from '../store/database.js';
import { trustHostKeyPermission } from '../transport/ssh/host-keys/host-key-permission.js';
import { manageConnectionsPermission } from './connection-guard.js';
import type { RunUser } from './start-run.js';

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
  constructor(private readonly database: Database) {}

  private get db(): DynamicKysely {
    return this.database.db;
  }

  /**
   * Creates the permissions the project defines and, with `prune`, deletes the ones it no longer
   * does (the grants go with them). Returns what changed.
   */
  async sync(
    wanted: { codename: string; name: string }[],
    options: { prune?: boolean } = {},
  ): Promise<{ created: string[]; deleted: string[] }> {
    const existing = new Set(
      (
        (await this.db.selectFrom('minke_permissions').select('codename').execute()) as {
          codename: string;
        }[]
      ).map((r) => r.codename),
    );
    const created = wanted.filter((p) => !existing.has(p.codename));
    if (created.length > 0) await this.db.insertInto('minke_permissions').values(created).execute();
    const keep = new Set(wanted.map((p) => p.codename));
    // The credentials store's permissions are not the project's to prune.
    const deleted = options.prune
      ? [...existing].filter((codename) => !keep.has(codename) && !isCredentialPermission(codename))
      : [];
    if (deleted.length > 0)
      await this.db.deleteFrom('minke_permissions').where('codename', 'in', deleted).execute();
    return { created: created.map((p) => p.codename), deleted };
  }

  async list(): Promise<{ codename: string; name: string }[]> {
    return await this.db
      .selectFrom('minke_permissions')
      .select(['codename', 'name'])
      .orderBy('codename')
      .execute();
  }

  async grant(userId: number, codenames: readonly string[]): Promise<void> {
    const ids = await this.idsOf(codenames);
    const held = new Set(
      (
        (await this.db
          .selectFrom('minke_user_permissions')
          .select('permission_id')
          .where('user_id', '=', userId)
          .execute()) as {
          permission_id: unknown;
        }[]
      ).map((r) => Number(r.permission_id)),
    );
    const rows = ids
      .filter((id) => !held.has(id))
      .map((id) => ({ user_id: userId, permission_id: id }));
    if (rows.length > 0) await this.db.insertInto('minke_user_permissions').values(rows).execute();
    await recordAudit(this.database, {
      action: 'permission.grant',
      targetType: 'user',
      targetId: userId,
      after: { permissions: [...codenames] },
    });
  }

  async revoke(userId: number, codenames: readonly string[]): Promise<void> {
    const ids = await this.idsOf(codenames);
    await this.db
      .deleteFrom('minke_user_permissions')
      .where('user_id', '=', userId)
      .where('permission_id', 'in', ids)
      .execute();
    await recordAudit(this.database, {
      action: 'permission.revoke',
      targetType: 'user',
      targetId: userId,
      before: { permissions: [...codenames] },
    });
  }

  /** What a user may do: their own permissions and their groups'. */
  async runUser(user: { id: number; isSuperuser: boolean }): Promise<RunUser> {
    const direct = (await this.db
      .selectFrom('minke_user_permissions')
      .innerJoin(
        'minke_permissions',
        'minke_permissions.id',
        'minke_user_permissions.permission_id',
      )
      .select('minke_permissions.codename')
      .where('minke_user_permissions.user_id', '=', user.id)
      .execute()) as { codename: string }[];
    const viaGroups = (await this.db
      .selectFrom('minke_user_group_members')
      .innerJoin(
        'minke_user_group_permissions',
        'minke_user_group_permissions.group_id',
        'minke_user_group_members.group_id',
      )
      .innerJoin(
        'minke_permissions',
        'minke_permissions.id',
        'minke_user_group_permissions.permission_id',
      )
      .select('minke_permissions.codename')
      .where('minke_user_group_members.user_id', '=', user.id)
      .execute()) as { codename: string }[];
    return {
      id: user.id,
      isSuperuser: user.isSuperuser,
      permissions: new Set([...direct, ...viaGroups].map((r) => r.codename)),
    };
  }

  private async idsOf(codenames: readonly string[]): Promise<number[]> {
    if (codenames.length === 0) return [];
    const rows = (await this.db
      .selectFrom('minke_permissions')
      .select(['id', 'codename'])
      .where('codename', 'in', [...codenames])
      .execute()) as {
      id: unknown;
      codename: string;
    }[];
    const missing = codenames.filter((c) => !rows.some((r) => r.codename === c));
    if (missing.length > 0) {
      throw new NotFoundError(
        `unknown permission(s): ${missing.join(', ')} (run \`minke permissions sync\`, then \`minke permissions list\`)`,
      );
    }
    return rows.map((r) => Number(r.id));
  }
}
