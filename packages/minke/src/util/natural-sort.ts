/** Digit runs are compared as numbers up to this many digits (longer ones still sort after). */
export const NATURAL_KEY_DIGITS = 10;
const PADDING = '0'.repeat(NATURAL_KEY_DIGITS);
const DIGIT_RUN = /[0-9]+/g;
/** A padded digit run's last ten digits: the zeros added or written beyond them go. */
const PADDED_RUN = new RegExp(`0*([0-9]{${NATURAL_KEY_DIGITS}})`, 'g');

/** The SQLite function that computes `naturalSortKey` (registered on every SQLite connection). */
export const NATURAL_KEY_FUNCTION = 'minke_natural_key';

/**
 * The key that sorts names as people count: `node-2` before `node-10`. Every run of digits is
 * left-padded with zeros to ten digits (leading zeros beyond that dropped), so comparing keys
 * byte by byte compares the numbers. PostgreSQL computes the same key with two regular
 * expressions (`naturalOrder` in query/), SQLite calls this function: both orders agree.
 *
 * @example
 *   naturalSortKey('node-2') // 'node-0000000002'
 *   ['node-10', 'node-2'].sort(naturalCompare) // ['node-2', 'node-10']
 */
export function naturalSortKey(name: string): string {
  // Compiled once: a list ordered by name calls this for every row it sorts.
  return name.replace(DIGIT_RUN, (digits) => PADDING + digits).replace(PADDED_RUN, '$1');
}

/**
 * Byte order of the natural keys (as SQLite's BINARY and PostgreSQL's "C" collations compare),
 * then of the names themselves (`node-02` before `node-2`).
 */
export function naturalCompare(a: string, b: string): number {
  const byKey = Buffer.compare(Buffer.from(naturalSortKey(a)), Buffer.from(naturalSortKey(b)));
  return byKey !== 0 ? byKey : Buffer.compare(Buffer.from(a), Buffer.from(b));
}
