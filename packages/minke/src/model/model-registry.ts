import { SetupError } from '../errors.js';
import { isModelDefinition, type ModelDefinition } from './define-model.js';
import type { Field } from './fields.js';
import { HOST_MODEL, Host } from './host-model.js';

/** Column names Minke adds to every model table. */
export const SYSTEM_COLUMNS = ['id', 'created_at', 'updated_at'] as const;

export interface ModelRegistry {
  /** Every model by name, Host included. */
  readonly models: ReadonlyMap<string, ModelDefinition>;
  /** User models in declaration order (Host excluded). */
  readonly userModels: readonly ModelDefinition[];
  get(name: string): ModelDefinition;
  /** The ref fields walked from a model to Host; empty for Host itself. */
  hostPath(name: string): readonly { model: ModelDefinition; field: string }[];
}

/** Column of a field in its table: refs store the id in `<field>_id`. */
export function columnOf(fieldName: string, field: Field): string {
  return field.kind === 'ref' ? `${fieldName}_id` : fieldName;
}

const modelNamePattern = /^[A-Z][A-Za-z0-9]{0,62}$/;
const fieldNamePattern = /^[a-z][a-z0-9_]{0,62}$/;

/**
 * Checks every model once at start-up (names, fields, refs, host lookups) and fails with a message
 * that names the model and the field (STYLE habit 4: define, sanitize, then use).
 */
export function buildModelRegistry(definitions: readonly unknown[]): ModelRegistry {
  const models = new Map<string, ModelDefinition>([[HOST_MODEL, Host]]);
  const userModels: ModelDefinition[] = [];
  definitions.forEach((candidate, index) => {
    if (!isModelDefinition(candidate)) {
      throw new SetupError(`models[${index}] is not a model: declare it with defineModel()`);
    }
    checkModelShape(candidate);
    if (models.has(candidate.name)) {
      throw new SetupError(
        candidate.name === HOST_MODEL
          ? 'model Host is built in: give your model another name'
          : `model ${candidate.name} is declared twice`,
      );
    }
    models.set(candidate.name, candidate);
    userModels.push(candidate);
  });
  const tables = new Map<string, string>();
  for (const model of models.values()) {
    const other = tables.get(model.table);
    if (other)
      throw new SetupError(`models ${other} and ${model.name} use the same table ${model.table}`);
    tables.set(model.table, model.name);
  }
  for (const model of userModels) checkRefs(model, models);
  const paths = new Map<string, { model: ModelDefinition; field: string }[]>();
  for (const model of models.values()) paths.set(model.name, resolveHostPath(model, models));

  return {
    models,
    userModels,
    get(name) {
      const model = models.get(name);
      if (!model) {
        const known = [...models.keys()].join(', ');
        throw new SetupError(`unknown model "${name}" (known: ${known})`);
      }
      return model;
    },
    hostPath(name) {
      return paths.get(name) ?? [];
    },
  };
}

function checkModelShape(model: ModelDefinition): void {
  if (!modelNamePattern.test(model.name)) {
    throw new SetupError(
      `model "${model.name}": the name must be PascalCase letters and digits, like DrupalModule`,
    );
  }
  const entries = Object.entries(model.fields);
  if (entries.length === 0) throw new SetupError(`model ${model.name} has no fields`);
  const columns = new Set<string>(SYSTEM_COLUMNS);
  for (const [name, field] of entries) {
    const where = `model ${model.name}, field ${name}`;
    if (!fieldNamePattern.test(name)) {
      throw new SetupError(`${where}: field names are lower_snake_case (a-z, 0-9, _)`);
    }
    const column = columnOf(name, field);
    if (columns.has(column)) {
      throw new SetupError(
        `${where}: the column ${column} is taken (id, created_at and updated_at are Minke's)`,
      );
    }
    columns.add(column);
    if (field.kind === 'enum' && field.values.length === 0) {
      throw new SetupError(`${where}: an enum needs at least one value`);
    }
    if (
      field.kind === 'enum' &&
      field.default !== undefined &&
      !field.values.includes(field.default)
    ) {
      throw new SetupError(`${where}: the default "${field.default}" is not one of its values`);
    }
  }
  for (const name of [
    ...model.display.map((path) => path.split('.')[0] ?? ''),
    ...model.searchFields,
  ]) {
    if (!(name in model.fields)) {
      throw new SetupError(`model ${model.name}: display/search names an unknown field "${name}"`);
    }
  }
  for (const entry of model.ordering) {
    const name = entry.replace(/^-/, '');
    if (
      name !== 'id' &&
      name !== 'created_at' &&
      name !== 'updated_at' &&
      !(name in model.fields)
    ) {
      throw new SetupError(`model ${model.name}: ordering names an unknown field "${name}"`);
    }
  }
}

function checkRefs(model: ModelDefinition, models: Map<string, ModelDefinition>): void {
  for (const [name, field] of Object.entries(model.fields)) {
    if (field.kind === 'ref' && !models.has(field.model)) {
      throw new SetupError(
        `model ${model.name}, field ${name}: refers to unknown model "${field.model}"`,
      );
    }
  }
  for (const path of model.display) checkDisplayPath(model, path, models);
}

/** A display path (`host.name`) goes through refs, one step a model, to a field at its end. */
function checkDisplayPath(
  model: ModelDefinition,
  path: string,
  models: Map<string, ModelDefinition>,
): void {
  const steps = path.split('.');
  let here: ModelDefinition | undefined = model;
  for (const [index, step] of steps.entries()) {
    const field = here?.fields[step];
    if (!here || !field) {
      throw new SetupError(
        `model ${model.name}: display path "${path}": ${here?.name ?? '?'} has no field "${step}"`,
      );
    }
    if (index === steps.length - 1) return;
    if (field.kind !== 'ref') {
      throw new SetupError(
        `model ${model.name}: display path "${path}": ${here.name}.${step} is not a ref, so the path cannot go on`,
      );
    }
    here = models.get(field.model);
  }
}

function resolveHostPath(
  model: ModelDefinition,
  models: Map<string, ModelDefinition>,
): { model: ModelDefinition; field: string }[] {
  if (model.name === HOST_MODEL) return [];
  const lookup = model.hostLookup.trim();
  const where = `model ${model.name}: host lookup "${model.hostLookup}"`;
  if (lookup === '')
    throw new SetupError(
      `${where} is empty: name the ref field that leads to Host, like "host" or "server.host"`,
    );
  const steps: { model: ModelDefinition; field: string }[] = [];
  let current = model;
  for (const segment of lookup.split('.')) {
    const field: Field | undefined = current.fields[segment];
    if (!field) {
      throw new SetupError(`${where}: ${current.name} has no field "${segment}"`);
    }
    if (field.kind !== 'ref') {
      throw new SetupError(
        `${where}: ${current.name}.${segment} is a ${field.kind} field, not a ref`,
      );
    }
    steps.push({ model: current, field: segment });
    const next = models.get(field.model);
    if (!next)
      throw new SetupError(`${where}: ${current.name}.${segment} refers to an unknown model`);
    current = next;
    if (steps.length > 16) throw new SetupError(`${where} is too long`);
  }
  if (current.name !== HOST_MODEL) {
    throw new SetupError(`${where} ends at ${current.name}, not at Host`);
  }
  return steps;
}
