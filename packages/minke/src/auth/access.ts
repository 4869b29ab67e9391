import { PermissionDenied } from '../errors.js';
import { snakeCase } from '../model/define-model.js';
import type { RunUser } from './run-user.js';
import type { SessionInfo } from '../session/session-registry.js';

export type ModelAction = 'view' | 'add' | 'change' | 'delete';

/** The codename of a model permission, as `projectPermissions` creates it: `view_drupal_module`. */
export function modelPermission(action: ModelAction, model: string): string {
  return `${action}_${snakeCase(model)}`;
}

/** Whether a user holds a permission; superusers hold every one. */
export function may(user: RunUser, codename: string): boolean {
  return user.isSuperuser || user.permissions.has(codename);
}

export function mayOnModel(user: RunUser, action: ModelAction, model: string): boolean {
  return may(user, modelPermission(action, model));
}

/** Whether a user may run a session: every permission it names (its run permission included). */
export function mayRun(user: RunUser, session: SessionInfo): boolean {
  return session.permissions.every((codename) => may(user, codename));
}

export function requireModelPermission(user: RunUser, action: ModelAction, model: string): void {
  const codename = modelPermission(action, model);
  if (!may(user, codename)) {
    throw new PermissionDenied(
      `you may not ${action} ${model}: it needs the permission ${codename}`,
    );
  }
}

export function requireSuperuser(user: RunUser, what: string): void {
  if (!user.isSuperuser) throw new PermissionDenied(`only superusers may ${what}`);
}
