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

/** SQLite's date text as Minke writes it: "YYYY-MM-DD HH:MM:SS", milliseconds optional. */
const SQLITE_DATE = /^(\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d)(?:\.(\d{1,3}))?$/;

/**
 * A stored date as ISO-8601 in UTC. SQLite's text is rewritten as text where it is plainly valid
 * (a list of 1,000 session records has 3,000 dates: parsing each into a Date was 5% of the
 * server's time under 50 pollers); anything else goes through Date, which also decides what an
 * odd one (February 30th, hour 24) means.
 */
export function toIsoString(value: unknown): string {
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'string') {
    const plain = SQLITE_DATE.exec(value);
    if (plain && isPlainlyValid(plain)) {
      const [, year, month, day, hour, minute, second, ms = ''] = plain;
      return `${year}-${month}-${day}T${hour}:${minute}:${second}.${ms.padEnd(3, '0')}Z`;
    }
    const parsed = new Date(value.includes('T') || value.endsWith('Z') ? value : `${value}Z`);
    return Number.isNaN(parsed.getTime()) ? value : parsed.toISOString();
  }
  return String(value);
}

/**
 * Fields that every month has and that Date would not move (no day past the 28th, no hour 24).
 * They are two digits each, so comparing them as text compares the numbers.
 */
function isPlainlyValid([
  ,
  ,
  month = '',
  day = '',
  hour = '',
  minute = '',
  second = '',
]: RegExpExecArray): boolean {
  return (
    month >= '01' &&
    month <= '12' &&
    day >= '01' &&
    day <= '28' &&
    hour <= '23' &&
    minute <= '59' &&
    second <= '59'
  );
}

/** SQLite's CURRENT_TIMESTAMP shape ("YYYY-MM-DD HH:MM:SS"), with milliseconds, in UTC. */
export function toSqliteDate(value: Date | string): string {
  const date = typeof value === 'string' ? new Date(value) : value;
  if (Number.isNaN(date.getTime())) return String(value);
  return date.toISOString().replace('T', ' ').replace('Z', '');
}
