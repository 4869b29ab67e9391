import { z } from 'zod';
import { UsageError } from './cli-error.js';

/**
 * Turns `--data key=value` pairs into form data, typed by the session's form: numbers for number
 * fields, true/false for booleans, JSON for objects and lists. The text is data, never evaluated
 * as code (the original `minkerun --form-data` used eval).
 */
export function parseRunData(
  pairs: readonly string[],
  form: z.ZodType | undefined,
): Record<string, unknown> {
  return parseRunDataBySchema(pairs, formSchema(form));
}

/**
 * The same, typed by the form's JSON Schema (as the server's sessions catalog gives it): null for
 * a session without a form, undefined when the form is not known (values pass as text).
 */
export function parseRunDataBySchema(
  pairs: readonly string[],
  schema: unknown,
): Record<string, unknown> {
  const properties =
    schema === null
      ? {}
      : schema === undefined
        ? undefined
        : (schema as { properties?: Record<string, JsonSchema> }).properties;
  const data: Record<string, unknown> = {};
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    if (at <= 0) throw new UsageError(`--data "${pair}": write key=value`);
    const key = pair.slice(0, at);
    const text = pair.slice(at + 1);
    if (properties && !(key in properties)) {
      const known = Object.keys(properties).join(', ') || 'none';
      throw new UsageError(`--data ${key}: not a field of this session's form (fields: ${known})`);
    }
    data[key] = coerce(text, properties?.[key]);
  }
  return data;
}

type JsonSchema = { type?: string | string[]; anyOf?: JsonSchema[] };

function formSchema(form: z.ZodType | undefined): unknown {
  if (!form) return null;
  try {
    return z.toJSONSchema(form, { io: 'input', unrepresentable: 'any' });
  } catch {
    return undefined; // a form zod cannot describe: pass text through and let it validate
  }
}

function typesOf(schema: JsonSchema | undefined): string[] {
  if (!schema) return [];
  const own =
    schema.type === undefined ? [] : Array.isArray(schema.type) ? schema.type : [schema.type];
  return [...own, ...(schema.anyOf ?? []).flatMap(typesOf)];
}

function coerce(text: string, schema: JsonSchema | undefined): unknown {
  const types = typesOf(schema);
  if (types.includes('string')) return text;
  if ((types.includes('number') || types.includes('integer')) && /^-?\d+(\.\d+)?$/.test(text))
    return Number(text);
  if (types.includes('boolean') && /^(true|false)$/i.test(text))
    return text.toLowerCase() === 'true';
  if ((types.includes('object') || types.includes('array')) && /^[[{]/.test(text.trim())) {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new UsageError(`--data: "${text}" is not valid JSON`);
    }
  }
  if (types.includes('null') && text === '') return null;
  return text;
}
