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
