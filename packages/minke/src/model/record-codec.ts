import { z } from 'zod';
import type { StoreAdapter } from '../store/adapter.js';
import type { ModelDefinition } from './define-model.js';
import type { Field } from './fields.js';
import { columnOf } from './model-registry.js';

/** A record as users see it: field names (refs as ids), plus id and timestamps. */
export type RecordValues = Record<string, unknown> & { id: number };

/** A value as the database column wants it. */
export function encodeValue(field: Field, value: unknown, adapter: StoreAdapter): unknown {
  if (value === null || value === undefined) return null;
  switch (field.kind) {
    case 'bool':
      return adapter.encodeBool(value as boolean);
    case 'json':
      return JSON.stringify(value);
    case 'datetime':
      return adapter.encodeDate(value as string);
    default:
      return value;
  }
}

export function decodeValue(field: Field, value: unknown, adapter: StoreAdapter): unknown {
  if (value === null || value === undefined) return null;
  switch (field.kind) {
    case 'bool':
      return adapter.decodeBool(value);
    case 'json':
      return typeof value === 'string' ? (JSON.parse(value) as unknown) : value;
    case 'datetime':
      return adapter.decodeDate(value);
    case 'int':
    case 'ref':
      return Number(value);
    default:
      return value;
  }
}

export function decodeRow(
  model: ModelDefinition,
  row: Record<string, unknown>,
  adapter: StoreAdapter,
): RecordValues {
  const out: RecordValues = { id: Number(row['id']) };
  for (const [name, field] of Object.entries(model.fields)) {
    out[name] = decodeValue(field, row[columnOf(name, field)], adapter);
  }
  if (row['created_at'] !== undefined) out['created_at'] = adapter.decodeDate(row['created_at']);
  if (row['updated_at'] !== undefined) out['updated_at'] = adapter.decodeDate(row['updated_at']);
  return out;
}

export function encodeRow(
  model: ModelDefinition,
  values: Record<string, unknown>,
  adapter: StoreAdapter,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(values)) {
    const field = model.fields[name];
    if (field) out[columnOf(name, field)] = encodeValue(field, value, adapter);
  }
  return out;
}

function valueSchema(field: Field): z.ZodType {
  switch (field.kind) {
    case 'text':
      return z.string();
    case 'int':
      return z.number().int('must be a whole number');
    case 'float':
      return z.number();
    case 'bool':
      return z.boolean();
    case 'datetime':
      return z.iso.datetime({ offset: true, message: 'must be an ISO-8601 date and time' });
    case 'enum':
      return z.enum(field.values as [string, ...string[]]);
    case 'json':
      return z.json();
    case 'ref':
      return z.number().int().positive('must be a record id');
  }
}

/**
 * The schema that checks a record's input: for create (required fields must be there unless they
 * have a default) or for update (every field optional).
 */
export function recordInputSchema(
  model: ModelDefinition,
  mode: 'create' | 'update',
): z.ZodType<Record<string, unknown>> {
  const shape: Record<string, z.ZodType> = {};
  for (const [name, field] of Object.entries(model.fields)) {
    let schema = valueSchema(field);
    if (field.optional) schema = schema.nullable();
    if (mode === 'update' || field.optional || field.default !== undefined)
      schema = schema.optional();
    shape[name] = schema;
  }
  return z.strictObject(shape);
}

/** Field defaults for whatever a new record leaves out. */
export function withDefaults(
  model: ModelDefinition,
  values: Record<string, unknown>,
): Record<string, unknown> {
  const out = { ...values };
  for (const [name, field] of Object.entries(model.fields)) {
    if (out[name] === undefined) {
      if (field.default !== undefined) out[name] = field.default;
      else if (field.optional) out[name] = null;
    }
  }
  return out;
}

/**
 * Turns text from a command line or a query string into a field's value type: `--set port=22`
 * gives the number 22 for an int field. Unknown text stays text, and validation then says why.
 */
export function coerceFromText(field: Field, text: string): unknown {
  if (text === '' && field.optional) return null;
  switch (field.kind) {
    case 'int':
    case 'float':
    case 'ref':
      return text.trim() !== '' && !Number.isNaN(Number(text)) ? Number(text) : text;
    case 'bool':
      if (/^(true|yes|1|on)$/i.test(text)) return true;
      if (/^(false|no|0|off)$/i.test(text)) return false;
      return text;
    case 'json':
      try {
        return JSON.parse(text) as unknown;
      } catch {
        return text;
      }
    default:
      return text;
  }
}
