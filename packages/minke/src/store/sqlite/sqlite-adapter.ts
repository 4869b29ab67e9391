import { toIsoString, toSqliteDate, type StoreAdapter } from '../adapter.js';

export const sqliteAdapter: StoreAdapter = {
  kind: 'sqlite',
  idType: 'integer',
  types: {
    text: 'text',
    int: 'integer',
    bigint: 'integer',
    float: 'real',
    bool: 'integer',
    datetime: 'text',
    json: 'text',
    bytes: 'blob',
  },
  encodeBool: (value) => (value ? 1 : 0),
  decodeBool: (value) => value === 1 || value === true || value === '1',
  decodeDate: toIsoString,
  encodeDate: toSqliteDate,
  containsOperator: 'like',
  supportsListenNotify: false,
};
