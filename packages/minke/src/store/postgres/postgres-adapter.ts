import { toIsoString, type StoreAdapter } from '../adapter.js';

export const postgresAdapter: StoreAdapter = {
  kind: 'postgres',
  idType: 'serial',
  types: {
    text: 'text',
    int: 'integer',
    bigint: 'bigint',
    float: 'double precision',
    bool: 'boolean',
    datetime: 'timestamptz',
    json: 'text',
    bytes: 'bytea',
  },
  encodeBool: (value) => value,
  decodeBool: (value) => value === true,
  decodeDate: toIsoString,
  encodeDate: (value) => (typeof value === 'string' ? new Date(value) : value).toISOString(),
  containsOperator: 'ilike',
  supportsListenNotify: true,
};
