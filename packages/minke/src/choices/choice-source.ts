import type { ChoiceFieldHint, ChoiceSource } from '@minke/contract';
import { isModelDefinition, type ModelDefinition } from '../model/define-model.js';
import type { RecordValues } from '../model/record-codec.js';

const choicesBrand = Symbol.for('minke.choices');

/** A value a choice field may take. */
export type ChoiceValue = string | number | boolean;

/** One choice as a source gives it: the value, its label, and how many selected objects have it. */
export interface ChoiceItem {
  value: ChoiceValue;
  label: string;
  /** Facts and fields: how many of the selected objects have it; else null. */
  count: number | null;
}

/** The objects a run is about to work on: what the choices are computed for. */
export interface ChoiceSelection {
  /** The model the run is on. */
  model: string;
  /** The selected record ids (as the user may see them). */
  ids: readonly number[];
  /** The selected records, field values by name. */
  objects: readonly RecordValues[];
}

/** What a project's own choice function returns per choice: a value, or a value with a label. */
export type ProjectChoice<V extends ChoiceValue = ChoiceValue> =
  V | { value: V; label?: string; count?: number | null };

/** Options of `fromModel`. */
export interface FromModelOptions {
  /** Which records: a `--where` on the model (`enabled = true`); all when absent. */
  where?: string;
  /** The field shown (default: the model's first display field). */
  label?: string;
  /** The field sent as the value (default `id`). */
  value?: string;
}

/** Options of `fromFacts`. */
export interface FromFactsOptions {
  /** Take the keys of the object at the path instead of its values (`packages` keyed by name). */
  keys?: boolean;
}

/** A declared source of choices: put it in a form field's `.meta({ choices })`. */
export type ChoicesSpec =
  | { kind: 'model'; model: string; options: FromModelOptions }
  | { kind: 'facts'; path: readonly string[]; options: FromFactsOptions }
  | { kind: 'field'; field: string }
  | {
      kind: 'function';
      compute: (
        selection: ChoiceSelection,
      ) => Promise<readonly ProjectChoice[]> | readonly ProjectChoice[];
    };

/** A source of choices, as `fromModel`, `fromFacts`, `fromField` and `fromFunction` make it. */
export interface Choices {
  readonly [choicesBrand]: true;
  readonly spec: ChoicesSpec;
  /** What travels in the form's JSON Schema: the source's kind and a description, no code. */
  toJSON(): ChoiceFieldHint;
}

function choices(spec: ChoicesSpec, description: string): Choices {
  const source: ChoiceSource = spec.kind;
  return { [choicesBrand]: true, spec, toJSON: () => ({ source, description }) };
}

/** Whether a value is a choice source (across module copies, as models and sessions are). */
export function isChoices(value: unknown): value is Choices {
  return typeof value === 'object' && value !== null && choicesBrand in value;
}

/**
 * Choices from the records of a model: `value` (default the id) labelled by `label`.
 *
 * @example
 *   const form = z.object({
 *     app: z.number().meta({ choices: fromModel(App, { where: 'kind = drupal', label: 'name' }) }),
 *   });
 */
export function fromModel(
  model: ModelDefinition | string,
  options: FromModelOptions = {},
): Choices {
  const name = isModelDefinition(model) ? model.name : model;
  const where = options.where === undefined ? '' : ` (${options.where})`;
  return choices({ kind: 'model', model: name, options }, `${name}${where}`);
}

/**
 * Choices from the selected objects' facts: every value found at the path, with how many of the
 * selected objects' hosts have it. `*` takes every element of a list (or value of an object).
 *
 * @example
 *   // "nginx — on 18 of 20"
 *   const form = z.object({ pkg: z.string().meta({ choices: fromFacts('packages.*.name') }) });
 */
export function fromFacts(path: string, options: FromFactsOptions = {}): Choices {
  const keys = path.split('.').filter((key) => key !== '');
  const relative = keys[0] === 'facts' ? keys.slice(1) : keys;
  return choices({ kind: 'facts', path: relative, options }, `facts.${relative.join('.')}`);
}

/**
 * Choices from a field of the selected objects: every value it has, with how many have it.
 *
 * @example
 *   const form = z.object({ from: z.string().meta({ choices: fromField('version') }) });
 */
export function fromField(field: string): Choices {
  return choices({ kind: 'field', field }, `field ${field}`);
}

/**
 * Choices a project computes on the server from the selection.
 *
 * @example
 *   const branches = fromFunction(({ objects }) => objects.map((o) => `release-${String(o.version)}`));
 */
export function fromFunction<V extends ChoiceValue>(
  compute: (
    selection: ChoiceSelection,
  ) => Promise<readonly ProjectChoice<V>[]> | readonly ProjectChoice<V>[],
  description = 'computed by the project',
): Choices {
  return choices({ kind: 'function', compute }, description);
}
