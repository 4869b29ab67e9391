import { z } from 'zod';
import { wholeListPaging } from './common.js';

/** A JSON Schema as `z.toJSONSchema` writes it; only the parts the form renderer reads. */
export interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  default?: unknown;
  description?: string;
  title?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  pattern?: string;
  format?: string;
  /** From a session form field's `.meta({ secret: true })`. */
  secret?: boolean;
  widget?: string;
  'x-widget'?: string;
  /** From a session form field's `.meta({ choices })`: its choices come from the CMDB. */
  choices?: { source: string; description: string };
  items?: JsonSchema;
}

/** A JSON Schema object, passed through whole (its keywords are open-ended). */
export const jsonSchema = z
  .custom<JsonSchema>((value) => typeof value === 'object' && value !== null)
  .describe('a JSON Schema');

export const FIELD_KINDS = [
  'text',
  'int',
  'float',
  'bool',
  'datetime',
  'enum',
  'json',
  'ref',
] as const;
export type FieldKind = (typeof FIELD_KINDS)[number];

export const fieldMeta = z.object({
  name: z.string(),
  kind: z.enum([...FIELD_KINDS, 'groups']),
  optional: z.boolean(),
  unique: z.boolean(),
  default: z.unknown(),
  label: z.string().nullable(),
  help: z.string().nullable(),
  /** enum values */
  values: z.array(z.string()).readonly().optional(),
  /** the target of a ref */
  model: z.string().optional(),
});
export type FieldMeta = z.infer<typeof fieldMeta>;

export const modelPermissions = z.object({
  view: z.boolean(),
  add: z.boolean(),
  change: z.boolean(),
  delete: z.boolean(),
});
export type ModelPermissions = z.infer<typeof modelPermissions>;

export const modelMeta = z.object({
  name: z.string(),
  label: z.string(),
  fields: z.array(fieldMeta),
  display: z.array(z.string()).readonly(),
  searchFields: z.array(z.string()).readonly(),
  ordering: z.array(z.string()).readonly(),
  hostLookup: z.string(),
  /** What the caller may do with the model's records. */
  permissions: modelPermissions,
  /** Session names the caller may run on this model. */
  sessions: z.array(z.string()),
});
export type ModelMeta = z.infer<typeof modelMeta>;

export const sessionMeta = z.object({
  name: z.string(),
  verboseName: z.string(),
  group: z.string().nullable(),
  description: z.string().nullable(),
  models: z.array(z.string()),
  confirm: z.boolean(),
  parallelPerHost: z.boolean(),
  /** Past it (milliseconds from its start) a session is stopped, killed and ends failed. */
  timeoutMs: z.number().int().positive().nullable(),
  /** The permissions it declares, by codename: `runPermission` lets a user run it. */
  permissions: z.array(z.string()),
  runPermission: z.string().nullable(),
  /** The form as JSON Schema (what the admin renders and `data` must satisfy), or null. */
  form: jsonSchema.nullable(),
});
export type SessionMeta = z.infer<typeof sessionMeta>;

export const modelsQuery = z.object({ ...wholeListPaging });
export const modelParams = z.object({ model: z.string() });
export const sessionsQuery = z.object({ model: z.string().optional() });
