import { InputError } from '../errors.js';
import type { Executor } from '../executor/executor.js';
import { withSecretPlaceholders } from '../executor/run-time-secrets.js';
import type { SessionInfo } from '../session/session-registry.js';
import { checkCredentialChange } from '../credentials/credential-guard.js';
import { connectionConfigLayerSchema } from '../transport/config/connection-config.js';
import { addedServerResources, mayManageConnections, needsPermission } from './connection-guard.js';
import type { RunUser } from '../auth/run-user.js';
import { formShape, metaOf } from '../session/form-meta.js';

/**
 * Splits a run's form values into the session's data and the run-time connection layer (the
 * last of the documented layers): fields marked `.meta({ connection: 'sudo.password' })` leave
 * the data (they are never stored, logged or audited) and join `given` (the request's
 * `connection`, which wins). The layer is validated like a host's config and guarded like one:
 * a user without manage_connections cannot name the server's files, agent or shell at run time.
 *
 * @example
 *   runTimeConnection(session, { path: '/', pw: 's3cret' }, undefined, user, executor)
 *   // => { data: { path: '/' }, connection: { sudo: { password: 's3cret' } } }
 */
export function runTimeConnection(
  session: SessionInfo,
  data: Record<string, unknown>,
  given: Record<string, unknown> | undefined,
  user: RunUser,
  executor: Executor,
): { data: Record<string, unknown>; connection: Record<string, unknown> | undefined } {
  const kept = { ...data };
  let layer: Record<string, unknown> = {};
  for (const [field, path] of connectionFields(session)) {
    if (!(field in kept)) continue;
    layer = mergeDeep(layer, atPath(path, kept[field]));
    delete kept[field];
  }
  if (given !== undefined) layer = mergeDeep(layer, given);
  if (Object.keys(layer).length === 0) return { data: kept, connection: undefined };
  const parsed = connectionConfigLayerSchema.safeParse(withSecretPlaceholders(layer));
  if (!parsed.success) {
    const fields = Object.fromEntries(
      parsed.error.issues.map((i) => [`connection.${i.path.join('.')}`, i.message]),
    );
    // Field names only: the values may be secrets.
    throw new InputError(`invalid run-time connection: ${Object.keys(fields).join(', ')}`, {
      fields,
    });
  }
  if (!mayManageConnections(user)) {
    checkCredentialChange(user, undefined, layer);
    const [field] = addedServerResources(undefined, layer);
    if (field !== undefined)
      throw needsPermission(`run-time connection field ${field}`, `connection.${field}`);
  }
  if (executor.takesRunTimeConnection !== true)
    throw new InputError(
      'this executor cannot take run-time connection values: it would send them to its workers in clear',
      { fields: { connection: 'not supported by this executor' } },
    );
  return { data: kept, connection: layer };
}

/** The form's fields that fill a connection setting, with its path. */
function connectionFields(session: SessionInfo): [string, string][] {
  const out: [string, string][] = [];
  for (const [field, schema] of Object.entries(formShape(session))) {
    const path = metaOf(schema)?.connection;
    if (typeof path === 'string' && path !== '') out.push([field, path]);
  }
  return out;
}

function atPath(path: string, value: unknown): Record<string, unknown> {
  const keys = path.split('.');
  let out: unknown = value;
  for (const key of keys.reverse()) out = { [key]: out };
  return out as Record<string, unknown>;
}

function mergeDeep(
  a: Record<string, unknown>,
  b: Record<string, unknown>,
): Record<string, unknown> {
  const out = { ...a };
  for (const [key, value] of Object.entries(b)) {
    const old = out[key];
    out[key] = isMapping(old) && isMapping(value) ? mergeDeep(old, value) : value;
  }
  return out;
}

function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
