import type { FieldKind } from '@minke/contract/api/metadata';
import { InputError } from '../errors.js';
import type { ModelDefinition } from '../model/define-model.js';

/** What types a value: a model's fields by kind, and where each ref points. */
export interface TypedFields {
  name: string;
  /** Field → its kind (a host's groups are not a field). */
  kinds: ReadonlyMap<string, FieldKind>;
  /** Ref field → the model it points at. */
  refs: ReadonlyMap<string, string>;
}

/** A model's fields as values are typed by them: kinds, and where each ref points. */
export function typedFieldsOf(model: ModelDefinition): {
  name: string;
  kinds: Map<string, FieldKind>;
  refs: Map<string, string>;
} {
  const kinds = new Map<string, FieldKind>();
  const refs = new Map<string, string>();
  for (const [name, field] of Object.entries(model.fields)) {
    kinds.set(name, field.kind);
    if (field.kind === 'ref') refs.set(name, field.model);
  }
  return { name: model.name, kinds, refs };
}

/** Finds the ids of the records of a model named `name` (two at the most). */
export type IdsByName = (model: string, name: string) => Promise<number[]>;

/**
 * Turns `field=value` words into a record's values, typed by the model's fields: numbers for int
 * and float, true/false (yes/no) for bool, JSON for json fields, and for a ref the target's id or
 * the name of the one target record called so (a host's name, for refs to Host). An empty value
 * (`notes=`) clears an optional field. The text is data, never evaluated.
 *
 * @example
 *   await recordValues(['host=web-1', 'role=db', 'port=5432'], server, idsByName);
 *   // { host: 1, role: 'db', port: 5432 }
 */
export async function recordValues(
  words: readonly string[],
  model: TypedFields,
  idsByName: IdsByName,
): Promise<Record<string, unknown>> {
  if (words.length === 0)
    throw new InputError(`name the fields to set as field=value (fields: ${fieldList(model)})`);
  const values: Record<string, unknown> = {};
  for (const word of words) {
    const at = word.indexOf('=');
    if (at <= 0) throw new InputError(`"${word}": write field=value`);
    const field = word.slice(0, at);
    const text = word.slice(at + 1);
    const kind = model.kinds.get(field);
    if (kind === undefined)
      throw new InputError(`${field}: not a field of ${model.name} (fields: ${fieldList(model)})`);
    if (field in values) throw new InputError(`${field}: given twice`);
    const target = model.refs.get(field);
    values[field] =
      text === ''
        ? null
        : target !== undefined
          ? await refId(field, target, text, idsByName)
          : typed(field, kind, text);
  }
  return values;
}

function typed(field: string, kind: string, text: string): unknown {
  if (kind === 'int' || kind === 'float') {
    if (!/^-?\d+(\.\d+)?$/.test(text)) throw new InputError(`${field}: "${text}" is not a number`);
    return Number(text);
  }
  if (kind === 'bool') {
    if (/^(true|yes)$/i.test(text)) return true;
    if (/^(false|no)$/i.test(text)) return false;
    throw new InputError(`${field}: "${text}" is not true or false`);
  }
  if (kind === 'json') {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new InputError(`${field}: "${text}" is not valid JSON`);
    }
  }
  return text;
}

async function refId(
  field: string,
  target: string,
  text: string,
  idsByName: IdsByName,
): Promise<number> {
  if (/^\d+$/.test(text)) return Number(text);
  const ids = await idsByName(target, text);
  if (ids.length === 1) return ids[0] as number;
  throw new InputError(
    ids.length === 0
      ? `${field}: no ${target} named "${text}" (a ref takes the target's id or name)`
      : `${field}: more than one ${target} is named "${text}": give its id`,
  );
}

function fieldList(model: TypedFields): string {
  return [...model.kinds.keys()].join(', ');
}
