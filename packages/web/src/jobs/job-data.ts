import type { NewJobBody } from '@minke/contract';
import type { FieldSpec } from '../schema-form/form-fields.js';

/** What the editor holds for a session's form: typed values, and a secret field's source. */
export type FormValues = Record<string, string | boolean>;
export type SecretSources = Record<string, string>;

/** Names that read as secrets are kept out of a job's data, as the server does. */
const SECRET_NAME = /(password|passphrase|secret|token)/i;

export function isSecret(field: FieldSpec): boolean {
  return field.secret === true || SECRET_NAME.test(field.name);
}

/** A form value typed by its field (numbers, booleans, JSON), as the run dialog sends it. */
function typed(field: FieldSpec, text: string | boolean): unknown {
  if (typeof text === 'boolean') return text;
  if ((field.widget === 'number' || field.widget === 'integer') && text.trim() !== '')
    return Number(text);
  if (field.widget === 'json' && text.trim() !== '') {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return text;
    }
  }
  return text;
}

/** A saved value as its input shows it (JSON for objects and lists). */
function inputOf(value: unknown): string | boolean {
  if (typeof value === 'boolean' || typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  return JSON.stringify(value);
}

/** A saved job's data as the editor's inputs. */
export function formValuesOf(data: Record<string, unknown> | undefined): FormValues {
  return Object.fromEntries(Object.entries(data ?? {}).map(([k, v]) => [k, inputOf(v)]));
}

/** A saved job's secret sources as the editor shows them: a credential's name, or "(ask)". */
export function secretInputsOf(secrets: NewJobBody['secrets'] | undefined): SecretSources {
  return Object.fromEntries(
    Object.entries(secrets ?? {}).map(([k, source]) => [
      k,
      source === 'ask' ? '(ask)' : source.credential,
    ]),
  );
}

/** Ids as typed ("3, 7, web-1"): numbers where they are numbers (record ids), else names. */
export function idsOf(text: string): (number | string)[] {
  return text
    .split(/[\s,]+/)
    .filter((id) => id !== '')
    .map((id) => (/^\d+$/.test(id) ? Number(id) : id));
}

/**
 * The job's data and secret sources from the editor's inputs: empty inputs are left out, secret
 * fields name a credential or "(ask)" and never carry a value.
 */
export function jobDataOf(
  fields: readonly FieldSpec[],
  values: FormValues,
  secrets: SecretSources,
): { data: Record<string, unknown>; secrets: NonNullable<NewJobBody['secrets']> } {
  const data: Record<string, unknown> = {};
  const secretSources: NonNullable<NewJobBody['secrets']> = {};
  for (const field of fields) {
    if (isSecret(field)) {
      const source = secrets[field.name] ?? '';
      if (source !== '')
        secretSources[field.name] = source === '(ask)' ? 'ask' : { credential: source };
      continue;
    }
    const value = values[field.name];
    if (value !== undefined && value !== '') data[field.name] = typed(field, value);
  }
  return { data, secrets: secretSources };
}
