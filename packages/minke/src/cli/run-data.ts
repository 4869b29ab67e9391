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
  const properties = formProperties(form);
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

function formProperties(form: z.ZodType | undefined): Record<string, JsonSchema> | undefined {
  if (!form) return {};
  try {
    const schema = z.toJSONSchema(form, { io: 'input', unrepresentable: 'any' }) as {
      properties?: Record<string, JsonSchema>;
    };
    return schema.properties;
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
