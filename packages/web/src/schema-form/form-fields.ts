import type { JsonSchema } from '@minke/contract';

/**
 * Reads a session's form (JSON Schema from `z.toJSONSchema`) into a list of fields the renderer
 * knows: text, textarea, number, integer, boolean, enum, and json for anything else.
 */
export type Widget = 'text' | 'textarea' | 'number' | 'integer' | 'boolean' | 'enum' | 'json';

/**
 * A field: what the renderer needs, with the schema's own limits as the schema states them. A
 * `secret` is a password input; `choices` come from the CMDB, through the form's choice renderer.
 */
export interface FieldSpec extends Pick<JsonSchema, NumberKey | 'pattern' | 'secret' | 'choices'> {
  name: string;
  label: string;
  help?: string;
  widget: Widget;
  required: boolean;
  /** Accepts null (an optional field left empty is sent as null, not left out). */
  nullable: boolean;
  default?: unknown;
  options?: string[];
}

/** What an input holds while the user types: text for text and number inputs. */
export type FormValue = string | boolean;
export type FormValues = Record<string, FormValue>;

/** Field names that mean "a command or a script": shown as a textarea without a widget hint. */
const TEXTAREA_NAMES = new Set(['cmd', 'command', 'commands', 'script']);

export function formFields(schema: JsonSchema | null | undefined): FieldSpec[] {
  if (!schema?.properties) return [];
  const required = new Set(schema.required ?? []);
  return Object.entries(schema.properties).map(([name, property]) =>
    fieldSpec(name, property, required.has(name)),
  );
}

function fieldSpec(name: string, property: JsonSchema, required: boolean): FieldSpec {
  const { schema, nullable } = unwrapNullable(property);
  const options = enumOptions(schema);
  const type = firstType(schema);
  const widget: Widget = options
    ? 'enum'
    : type === 'boolean'
      ? 'boolean'
      : type === 'integer'
        ? 'integer'
        : type === 'number'
          ? 'number'
          : type === 'string'
            ? isTextarea(name, schema)
              ? 'textarea'
              : 'text'
            : 'json';
  const description = schema.description ?? property.description;
  const title = schema.title ?? property.title;
  const labelFromDescription =
    !title && description && description.length <= 40 && !description.includes('. ');
  const spec: FieldSpec = {
    name,
    label: title ?? (labelFromDescription ? description : humanize(name)),
    widget,
    required: required && !nullable,
    nullable,
    ...(schema.secret === true || schema.format === 'password' ? { secret: true } : {}),
    ...choicesOf(property, schema),
  };
  if (description && !labelFromDescription) spec.help = description;
  const fallback = property.default !== undefined ? property.default : schema.default;
  if (fallback !== undefined) spec.default = fallback;
  if (options) spec.options = options;
  copyNumber(spec, schema, 'minLength');
  copyNumber(spec, schema, 'maxLength');
  copyNumber(spec, schema, 'minimum');
  copyNumber(spec, schema, 'maximum');
  copyNumber(spec, schema, 'exclusiveMinimum');
  copyNumber(spec, schema, 'exclusiveMaximum');
  if (typeof schema.pattern === 'string') spec.pattern = schema.pattern;
  return spec;
}

/** A field's CMDB choices (`.meta({ choices })`), on the property or its unwrapped schema. */
function choicesOf(property: JsonSchema, schema: JsonSchema): Pick<FieldSpec, 'choices'> {
  const choices = property.choices ?? schema.choices;
  return choices ? { choices } : {};
}

type NumberKey =
  'minLength' | 'maxLength' | 'minimum' | 'maximum' | 'exclusiveMinimum' | 'exclusiveMaximum';

function copyNumber(spec: FieldSpec, schema: JsonSchema, key: NumberKey): void {
  const value = schema[key];
  if (typeof value === 'number') spec[key] = value;
}

/** `anyOf: [X, {type: 'null'}]` and `type: ['string', 'null']` are X that may be null. */
function unwrapNullable(schema: JsonSchema): { schema: JsonSchema; nullable: boolean } {
  const union = schema.anyOf ?? schema.oneOf;
  if (union) {
    const rest = union.filter((s) => s.type !== 'null');
    if (rest.length === 1 && rest.length < union.length)
      return {
        schema: { ...schema, ...rest[0], anyOf: undefined, oneOf: undefined },
        nullable: true,
      };
  }
  if (Array.isArray(schema.type) && schema.type.includes('null')) {
    const types = schema.type.filter((t) => t !== 'null');
    return { schema: { ...schema, type: types.length === 1 ? types[0] : types }, nullable: true };
  }
  return { schema, nullable: false };
}

function enumOptions(schema: JsonSchema): string[] | undefined {
  if (Array.isArray(schema.enum) && schema.enum.every((v) => typeof v === 'string'))
    return schema.enum;
  const union = schema.anyOf ?? schema.oneOf;
  if (union?.length && union.every((s) => typeof s.const === 'string'))
    return union.map((s) => s.const as string);
  return undefined;
}

function firstType(schema: JsonSchema): string | undefined {
  return Array.isArray(schema.type) ? schema.type[0] : schema.type;
}

function isTextarea(name: string, schema: JsonSchema): boolean {
  const hint = schema.widget ?? schema['x-widget'] ?? schema.format;
  if (hint === 'textarea') return true;
  if (hint !== undefined) return false;
  return TEXTAREA_NAMES.has(name) || (schema.maxLength ?? 0) > 200;
}

export function humanize(name: string): string {
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/[_-]+/g, ' ')
    .trim()
    .toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** The inputs' starting values: the schema's defaults, else empty. */
export function initialValues(fields: readonly FieldSpec[]): FormValues {
  const values: FormValues = {};
  for (const field of fields) {
    if (field.widget === 'boolean') values[field.name] = field.default === true;
    else if (field.default === undefined || field.default === null) values[field.name] = '';
    else values[field.name] = asText(field.default, field.widget === 'json');
  }
  return values;
}

function asText(value: unknown, json: boolean): string {
  if (
    !json &&
    (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
  )
    return String(value);
  return JSON.stringify(value);
}

/** Reasons per field, in the words the API uses; empty when the form may be sent. */
export function validateForm(
  fields: readonly FieldSpec[],
  values: FormValues,
): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const field of fields) {
    const reason = validateField(field, values[field.name]);
    if (reason) errors[field.name] = reason;
  }
  return errors;
}

function validateField(field: FieldSpec, value: FormValue | undefined): string | undefined {
  if (field.widget === 'boolean') return undefined;
  const text = typeof value === 'string' ? value : '';
  if (text.trim() === '') return field.required ? 'required' : undefined;
  switch (field.widget) {
    case 'integer':
    case 'number':
      return validateNumber(field, text);
    case 'enum':
      return field.options?.includes(text) ? undefined : `one of ${field.options?.join(', ')}`;
    case 'json':
      try {
        JSON.parse(text);
        return undefined;
      } catch {
        return 'not valid JSON';
      }
    default:
      return validateText(field, text);
  }
}

function validateNumber(field: FieldSpec, text: string): string | undefined {
  const pattern = field.widget === 'integer' ? /^-?\d+$/ : /^-?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;
  if (!pattern.test(text.trim())) return field.widget === 'integer' ? 'a whole number' : 'a number';
  const n = Number(text);
  if (field.minimum !== undefined && n < field.minimum) return `at least ${field.minimum}`;
  if (field.maximum !== undefined && n > field.maximum) return `at most ${field.maximum}`;
  if (field.exclusiveMinimum !== undefined && n <= field.exclusiveMinimum)
    return `more than ${field.exclusiveMinimum}`;
  if (field.exclusiveMaximum !== undefined && n >= field.exclusiveMaximum)
    return `less than ${field.exclusiveMaximum}`;
  return undefined;
}

function validateText(field: FieldSpec, text: string): string | undefined {
  if (field.minLength !== undefined && text.length < field.minLength)
    return `at least ${field.minLength} characters`;
  if (field.maxLength !== undefined && text.length > field.maxLength)
    return `at most ${field.maxLength} characters`;
  if (field.pattern !== undefined) {
    try {
      if (!new RegExp(field.pattern, 'u').test(text)) return `must match ${field.pattern}`;
    } catch {
      return undefined; // a pattern JavaScript cannot read: the server checks it
    }
  }
  return undefined;
}

/** The `data` to send: numbers as numbers, JSON parsed, empty optional fields left out or null. */
export function formData(
  fields: readonly FieldSpec[],
  values: FormValues,
): Record<string, unknown> {
  const data: Record<string, unknown> = {};
  for (const field of fields) {
    const value = values[field.name];
    if (field.widget === 'boolean') {
      data[field.name] = value === true;
      continue;
    }
    const text = typeof value === 'string' ? value : '';
    if (text.trim() === '') {
      if (field.nullable) data[field.name] = null;
      continue;
    }
    if (field.widget === 'integer' || field.widget === 'number') data[field.name] = Number(text);
    else if (field.widget === 'json') data[field.name] = JSON.parse(text) as unknown;
    else data[field.name] = text;
  }
  return data;
}
