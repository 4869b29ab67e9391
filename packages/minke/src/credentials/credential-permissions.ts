import { may, requireSuperuser } from '../auth/access.js';
import { PermissionDenied } from '../errors.js';
import type { RunUser } from '../auth/run-user.js';

/** Create, replace, delete and list credentials (never read them: nobody may). */
export const MANAGE_CREDENTIALS = 'manage_credentials';
/** Point a host or group at any credential; `use_credential:NAME` allows one. */
export const USE_ANY_CREDENTIAL = 'use_credential';

export function useCredentialPermission(name: string): string {
  return `${USE_ANY_CREDENTIAL}:${name}`;
}

/** Permissions the credentials store owns: never pruned as "no longer defined by the project". */
export function isCredentialPermission(codename: string): boolean {
  return (
    codename === MANAGE_CREDENTIALS ||
    codename === USE_ANY_CREDENTIAL ||
    codename.startsWith(`${USE_ANY_CREDENTIAL}:`)
  );
}

export function requireManageCredentials(user: RunUser): void {
  if (may(user, MANAGE_CREDENTIALS)) return;
  requireSuperuser(user, `manage credentials (or hold the permission ${MANAGE_CREDENTIALS})`);
}

export function mayUseCredential(user: RunUser, name: string): boolean {
  return may(user, USE_ANY_CREDENTIAL) || may(user, useCredentialPermission(name));
}

export function requireUseCredential(user: RunUser, name: string): void {
  if (mayUseCredential(user, name)) return;
  throw new PermissionDenied(
    `you may not use credential ${name}: it needs the permission ` +
      `${useCredentialPermission(name)} (or ${USE_ANY_CREDENTIAL})`,
    { fields: { config: `needs ${useCredentialPermission(name)}` } },
  );
}
