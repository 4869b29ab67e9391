import type { ColumnDataType } from 'kysely';

/**
 * What core code may ask a database backend. Core code never asks *which* backend it is; it asks
 * for the column type to use or how a value comes back (STYLE habit 1).
 */
export interface StoreAdapter {
  readonly kind: 'sqlite' | 'postgres';
  /** Column type of an auto-incrementing integer primary key. */
  readonly idType: ColumnDataType;
  readonly types: {
    text: ColumnDataType;
    int: ColumnDataType;
    bigint: ColumnDataType;
    float: ColumnDataType;
    bool: ColumnDataType;
    datetime: ColumnDataType;
    json: ColumnDataType;
    /** Raw bytes (compressed output); a Node Buffer in and out. */
    bytes: ColumnDataType;
  };
  /** A boolean as the driver wants it. */
  encodeBool(value: boolean): unknown;
  decodeBool(value: unknown): boolean;
  /** A stored timestamp (Date or text) as an ISO-8601 string. */
  decodeDate(value: unknown): string;
  /** A date as the column stores it, so that stored values compare correctly. */
  encodeDate(value: Date | string): string;
  /** Case-insensitive substring match operator. */
  readonly containsOperator: 'like' | 'ilike';
  /** True when the database can notify listeners of changes (PostgreSQL LISTEN/NOTIFY). */
  readonly supportsListenNotify: boolean;
}

export function toIsoString(value: unknown): string {
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'string') {
    const parsed = new Date(value.includes('T') || value.endsWith('Z') ? value : `${value}Z`);
    return Number.isNaN(parsed.getTime()) ? value : parsed.toISOString();
  }
  return String(value);
}

/** SQLite's CURRENT_TIMESTAMP shape ("YYYY-MM-DD HH:MM:SS"), with milliseconds, in UTC. */
export function toSqliteDate(value: Date | string): string {
  const date = typeof value === 'string' ? new Date(value) : value;
  if (Number.isNaN(date.getTime())) return String(value);
  return date.toISOString().replace('T', ' ').replace('Z', '');
}
