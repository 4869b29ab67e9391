import type { ColumnDataType } from 'kysely';
import type { StoreAdapter } from '../store/adapter.js';
import type { Field } from './fields.js';

export function columnTypeOf(field: Field, adapter: StoreAdapter): ColumnDataType {
  switch (field.kind) {
    case 'text':
    case 'enum':
      return adapter.types.text;
    case 'int':
      return adapter.types.bigint;
    case 'float':
      return adapter.types.float;
    case 'bool':
      return adapter.types.bool;
    case 'datetime':
      return adapter.types.datetime;
    case 'json':
      return adapter.types.json;
    case 'ref':
      return adapter.types.int;
  }
}
