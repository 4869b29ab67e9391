import type { ColumnDataType } from 'kysely';
import type { StoreAdapter } from '../store/adapter.js';
import type { Field } from './fields.js';

/** Which of the backend's column types each kind of field is stored in. */
const columnTypeKeyOf = {
  text: 'text',
  enum: 'text',
  int: 'bigint',
  float: 'float',
  bool: 'bool',
  datetime: 'datetime',
  json: 'json',
  ref: 'int',
} as const satisfies Record<Field['kind'], keyof StoreAdapter['types']>;

export function columnTypeOf(field: Field, adapter: StoreAdapter): ColumnDataType {
  return adapter.types[columnTypeKeyOf[field.kind]];
}
