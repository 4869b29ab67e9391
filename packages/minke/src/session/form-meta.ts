import type { SessionInfo } from './session-registry.js';

/** What a form field's zod `.meta()` may say: the connection setting it fills, for this run only. */
export interface ConnectionFieldMeta {
  /** Dotted path in the connection config: `sudo.password`, `passphrase`, `user`. */
  connection?: string;
  /** Shown as a password input; never kept in the run's data. */
  secret?: boolean;
}

/** The form's fields marked `.meta({ secret: true })`: their values must not travel in clear. */
export function secretFormFields(session: SessionInfo): Set<string> {
  const out = new Set<string>();
  for (const [field, schema] of Object.entries(formShape(session)))
    if (metaOf(schema)?.secret === true) out.add(field);
  return out;
}

/** Names that read as secrets: kept out of a run's stored data even when the form does not say. */
const SECRET_NAME = /(password|passphrase|secret|token)/i;

/** Secret fields: the form's `secret: true` ones, and names that read as secrets. */
export function isSecretField(session: SessionInfo, field: string): boolean {
  return secretFormFields(session).has(field) || SECRET_NAME.test(field);
}

/**
 * A run's form values split in what may be stored, shown and queued in clear, and the secret
 * ones, which live only in memory (and, on the queue, sealed with the project's key).
 */
export function splitSecretValues(
  session: SessionInfo,
  data: Record<string, unknown>,
): { clear: Record<string, unknown>; secret: Record<string, unknown> } {
  const clear: Record<string, unknown> = {};
  const secret: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(data)) {
    if (isSecretField(session, field)) secret[field] = value;
    else clear[field] = value;
  }
  return { clear, secret };
}

/** The form's zod object shape (empty when the session has no form). */
export function formShape(session: SessionInfo): Record<string, unknown> {
  return (session.cls.form as { shape?: Record<string, unknown> } | undefined)?.shape ?? {};
}

/** The field's `.meta()`, looking through optional/default wrappers (bounded depth). */
export function metaOf(schema: unknown): ConnectionFieldMeta | undefined {
  let current = schema as { meta?: () => unknown; unwrap?: () => unknown } | undefined;
  for (let depth = 0; depth < 5 && current; depth++) {
    const meta = typeof current.meta === 'function' ? current.meta() : undefined;
    if (meta && typeof meta === 'object') return meta;
    current =
      typeof current.unwrap === 'function' ? (current.unwrap() as typeof current) : undefined;
  }
  return undefined;
}
