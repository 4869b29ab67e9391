/**
 * Field types of user models. Each builder returns a plain description; `defineModel` turns a map
 * of them into a model whose record type TypeScript infers.
 *
 * @example
 *   const fields = { name: f.text(), version: f.text({ optional: true }), server: f.ref('Server') };
 */
export type FieldKind = 'text' | 'int' | 'float' | 'bool' | 'datetime' | 'enum' | 'json' | 'ref';

export interface FieldOptions<T> {
  /** May be empty (null). Fields are required unless they say so. */
  optional?: boolean;
  /** No two records may share a value. */
  unique?: boolean;
  /** Used when a new record leaves the field out. */
  default?: T;
  /** Shown in the admin instead of the field name. */
  label?: string;
  /** A line of help under the field in forms. */
  help?: string;
}

interface BaseField<K extends FieldKind, T, O extends boolean> {
  readonly kind: K;
  readonly optional: O;
  readonly unique: boolean;
  readonly default: T | undefined;
  readonly label: string | undefined;
  readonly help: string | undefined;
  /** Phantom: the TypeScript type of the value, for inference only. */
  readonly __value?: T;
}

export type TextField<O extends boolean = boolean> = BaseField<'text', string, O>;
export type IntField<O extends boolean = boolean> = BaseField<'int', number, O>;
export type FloatField<O extends boolean = boolean> = BaseField<'float', number, O>;
export type BoolField<O extends boolean = boolean> = BaseField<'bool', boolean, O>;
/** Values are ISO-8601 strings. */
export type DatetimeField<O extends boolean = boolean> = BaseField<'datetime', string, O>;
export type JsonField<O extends boolean = boolean> = BaseField<'json', unknown, O>;
export interface EnumField<
  V extends string = string,
  O extends boolean = boolean,
> extends BaseField<'enum', V, O> {
  readonly values: readonly V[];
}
/** A reference to another model's record (its id), or to a Host with the model name `Host`. */
export interface RefField<O extends boolean = boolean> extends BaseField<'ref', number, O> {
  readonly model: string;
}

export type Field =
  TextField | IntField | FloatField | BoolField | DatetimeField | JsonField | EnumField | RefField;

type Opt<T> = FieldOptions<T> & { optional?: boolean };
type IsOptional<Options> = Options extends { optional: true } ? true : false;

function base<K extends FieldKind, T>(kind: K, options: Opt<T> = {}) {
  return {
    kind,
    optional: options.optional ?? false,
    unique: options.unique ?? false,
    default: options.default,
    label: options.label,
    help: options.help,
  };
}

export const f = {
  text: <O extends Opt<string>>(options?: O) => base('text', options) as TextField<IsOptional<O>>,
  int: <O extends Opt<number>>(options?: O) => base('int', options) as IntField<IsOptional<O>>,
  float: <O extends Opt<number>>(options?: O) =>
    base('float', options) as FloatField<IsOptional<O>>,
  bool: <O extends Opt<boolean>>(options?: O) => base('bool', options) as BoolField<IsOptional<O>>,
  datetime: <O extends Opt<string>>(options?: O) =>
    base('datetime', options) as DatetimeField<IsOptional<O>>,
  json: <O extends Opt<unknown>>(options?: O) => base('json', options) as JsonField<IsOptional<O>>,
  enum: <const V extends string, O extends Opt<V>>(values: readonly V[], options?: O) =>
    ({ ...base('enum', options), values }) as EnumField<V, IsOptional<O>>,
  ref: <O extends Opt<number>>(model: string, options?: O) =>
    ({ ...base('ref', options), model }) as RefField<IsOptional<O>>,
};

export type FieldMap = Record<string, Field>;

type ValueOf<F> = F extends { readonly __value?: infer T } ? T : never;

/** The record type of a field map: optional fields may be null. */
export type RecordOf<F extends FieldMap> = { id: number } & {
  -readonly [K in keyof F]: F[K]['optional'] extends true ? ValueOf<F[K]> | null : ValueOf<F[K]>;
};
