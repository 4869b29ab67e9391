import { PermissionDenied } from '../errors.js';
import type { RunUser } from '../auth/run-user.js';
import {
  mayUseCredential,
  requireUseCredential,
  USE_ANY_CREDENTIAL,
  useCredentialPermission,
} from './credential-permissions.js';

/**
 * The credentials a connection config layer refers to (`password`, `passphrase`, `sudo.password`,
 * `key`, at any depth of `proxyJump`), by name.
 *
 * @example
 *   credentialsNamedIn({ key: { credential: 'deploy' }, sudo: { password: { credential: 'root' } } })
 *   // => ['deploy', 'root']
 */
export function credentialsNamedIn(layer: unknown): string[] {
  const names = new Set<string>();
  const visit = (value: unknown, depth: number): void => {
    if (!isMapping(value) || depth > 16) return;
    for (const key of ['password', 'passphrase', 'key'] as const) addRef(value[key], names);
    if (isMapping(value['sudo'])) addRef(value['sudo']['password'], names);
    visit(value['proxyJump'], depth + 1);
  };
  visit(layer, 0);
  return [...names];
}

/**
 * Refuses a config change that makes a host or group use a credential the actor may not use
 * (`use_credential:NAME` or `use_credential`). References that were there before pass, so a user
 * may still edit other settings of a host an administrator pointed at a credential. No actor is
 * the machine's operator (CLI, fixtures, the project's config), who may use any.
 */
export function checkCredentialChange(
  actor: RunUser | undefined,
  before: unknown,
  after: unknown,
): void {
  if (actor === undefined) return;
  const had = new Set(credentialsNamedIn(before));
  for (const name of credentialsNamedIn(after)) {
    if (!had.has(name)) requireUseCredential(actor, name);
  }
}

/** A host joining a group takes the group's credentials: the actor must be allowed to use them. */
export function checkJoinedGroupCredentials(
  actor: RunUser | undefined,
  joined: ReadonlyArray<{ name: string; config: unknown }>,
): void {
  if (actor === undefined) return;
  for (const group of joined) {
    for (const name of credentialsNamedIn(group.config)) {
      if (mayUseCredential(actor, name)) continue;
      throw new PermissionDenied(
        `joining host group ${group.name} (its config uses credential ${name}) needs the ` +
          `permission ${useCredentialPermission(name)} (or ${USE_ANY_CREDENTIAL})`,
        { fields: { groups: `needs ${useCredentialPermission(name)}` } },
      );
    }
  }
}

function addRef(value: unknown, names: Set<string>): void {
  if (isMapping(value) && typeof value['credential'] === 'string') names.add(value['credential']);
}

function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Refuses, to an actor who may not use them, pointing a host at another destination (or adding
 * one) while it receives a credential's password or sudo password from any of its layers: the
 * password would be typed into whatever server the host is made to name.
 */
export function checkDeliveredCredentials(
  actor: RunUser | undefined,
  layers: readonly unknown[],
  hostName: string | undefined,
): void {
  if (actor === undefined) return;
  for (const layer of layers) {
    for (const name of deliveredCredentials(layer)) {
      if (mayUseCredential(actor, name)) continue;
      const subject =
        hostName === undefined
          ? `adding a host that receives credential ${name}`
          : `changing where host ${hostName} connects (it receives credential ${name})`;
      throw new PermissionDenied(
        `${subject} needs the permission ${useCredentialPermission(name)} (or ${USE_ANY_CREDENTIAL})`,
        { fields: { [hostName === undefined ? 'name' : 'hostname']: 'needs use_credential' } },
      );
    }
  }
}

/** Credentials whose secret is sent to the host: passwords and sudo passwords (a key only signs). */
function deliveredCredentials(layer: unknown): string[] {
  const names = new Set<string>();
  if (!isMapping(layer)) return [];
  addRef(layer['password'], names);
  if (isMapping(layer['sudo'])) addRef(layer['sudo']['password'], names);
  return [...names];
}
