import type { FieldMap, RecordOf } from './fields.js';

const modelBrand = Symbol.for('minke.model');

/**
 * A user model: a table of things Minke manages (servers, the apps on them, their modules), each
 * tied to exactly one host through `hostLookup`.
 */
export interface ModelDefinition<F extends FieldMap = FieldMap> {
  readonly [modelBrand]: true;
  /** PascalCase name, unique in the project: `Server`, `DrupalModule`. */
  readonly name: string;
  readonly fields: F;
  /** Path of ref fields from this model to Host: `host`, `server.host`, `drupal.server.host`. */
  readonly hostLookup: string;
  /** Human label, plural: "Servers". */
  readonly label: string;
  /**
   * Fields shown as the record's title, or paths through refs to another model's field
   * (`host.name`); the first text field by default.
   */
  readonly display: readonly string[];
  /** Fields the free-text search looks in; text fields by default. */
  readonly searchFields: readonly string[];
  /** Default order: field names, `-name` for descending. */
  readonly ordering: readonly string[];
  /** The SQL table; `model_<snake_name>` unless set. */
  readonly table: string;
  /** Phantom, for inference: the record type. */
  readonly __record?: RecordOf<F>;
}

export interface ModelOptions<F extends FieldMap> {
  fields: F;
  hostLookup: string;
  label?: string;
  display?: readonly ((keyof F & string) | `${keyof F & string}.${string}`)[];
  searchFields?: readonly (keyof F & string)[];
  ordering?: readonly string[];
  table?: string;
}

/** The record type of a model. @example type ServerRecord = InferRecord<typeof Server>; */
export type InferRecord<M> = M extends ModelDefinition<infer F> ? RecordOf<F> : never;

/**
 * Declares a model.
 *
 * @example
 *   export const Server = defineModel('Server', {
 *     fields: { host: f.ref('Host', { unique: true }), os: f.text({ optional: true }) },
 *     hostLookup: 'host',
 *   });
 */
export function defineModel<const F extends FieldMap>(
  name: string,
  options: ModelOptions<F>,
): ModelDefinition<F> {
  const textFields = Object.entries(options.fields)
    .filter(([, field]) => field.kind === 'text')
    .map(([fieldName]) => fieldName);
  return {
    [modelBrand]: true,
    name,
    fields: options.fields,
    hostLookup: options.hostLookup,
    label: options.label ?? `${name}s`,
    display: options.display ?? textFields.slice(0, 1),
    searchFields: options.searchFields ?? textFields,
    ordering: options.ordering ?? ['id'],
    table: options.table ?? `model_${snakeCase(name)}`,
  };
}

export function isModelDefinition(value: unknown): value is ModelDefinition {
  return typeof value === 'object' && value !== null && modelBrand in value;
}

export function snakeCase(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Z])([A-Z][a-z])/g, '$1_$2')
    .toLowerCase();
}
