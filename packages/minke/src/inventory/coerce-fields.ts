import { InputError } from '../errors.js';
import type { ModelDefinition } from '../model/define-model.js';

/**
 * A CSV cell is text: numbers and booleans are read by the model's field types (JSON and YAML
 * values pass through as they are). An empty text is no value.
 */
export function coerceFields(
  model: ModelDefinition,
  fields: Record<string, unknown>,
  at: string,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(fields)) {
    const kind = model.fields[name]?.kind;
    out[name] = typeof value === 'string' ? fromText(kind, value, `${at}: ${name}`) : value;
  }
  return out;
}

function fromText(kind: string | undefined, text: string, where: string): unknown {
  if (text === '') return null;
  if (kind === 'int' || kind === 'float') {
    const number = Number(text);
    if (Number.isNaN(number) || (kind === 'int' && !Number.isInteger(number)))
      throw new InputError(
        `${where}: "${text}" is not ${kind === 'int' ? 'a whole number' : 'a number'}`,
      );
    return number;
  }
  if (kind === 'bool') {
    if (/^(true|yes|1)$/i.test(text)) return true;
    if (/^(false|no|0)$/i.test(text)) return false;
    throw new InputError(`${where}: "${text}" is not true or false`);
  }
  return text;
}
