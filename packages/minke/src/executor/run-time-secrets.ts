import { randomBytes } from 'node:crypto';
import type { CredentialReader } from '../transport/config/secret.js';

/** Where a run-time layer may hold a secret as a plain string (asked by a form, or sent). */
const SECRET_PATHS = [['password'], ['passphrase'], ['sudo', 'password']] as const;

/**
 * A run-time layer as the config resolver takes it: each plain secret string becomes a
 * `{ credential }` reference under a random name that only the returned reader answers, from
 * memory. Configs never hold a secret itself; this keeps that true for run-time values too, and
 * the value lives only as long as the run's connection.
 */
export function withRunTimeSecrets(
  layer: Readonly<Record<string, unknown>> | undefined,
  reader: CredentialReader,
): { layer: Record<string, unknown> | undefined; reader: CredentialReader } {
  if (layer === undefined) return { layer, reader };
  const secrets = new Map<string, string>();
  const out = structuredClone(layer) as Record<string, unknown>;
  for (const path of SECRET_PATHS) {
    const parent = path.length === 1 ? out : out[path[0]];
    if (!isMapping(parent)) continue;
    const key = path[path.length - 1] as string;
    const value = parent[key];
    if (typeof value !== 'string') continue;
    const name = `run-time.${randomBytes(12).toString('hex')}`;
    secrets.set(name, value);
    parent[key] = { credential: name };
  }
  if (secrets.size === 0) return { layer: out, reader };
  return {
    layer: out,
    reader: {
      sshKey: (name) => reader.sshKey(name),
      password: (name) => {
        const secret = secrets.get(name);
        return secret === undefined ? reader.password(name) : Promise.resolve(secret);
      },
    },
  };
}

/** The layer with each plain secret string replaced by a placeholder reference (for validation). */
export function withSecretPlaceholders(layer: Record<string, unknown>): Record<string, unknown> {
  const out = structuredClone(layer);
  for (const path of SECRET_PATHS) {
    const parent = path.length === 1 ? out : out[path[0]];
    if (!isMapping(parent)) continue;
    const key = path[path.length - 1] as string;
    if (typeof parent[key] === 'string') parent[key] = { credential: 'run-time-value' };
  }
  return out;
}

function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
