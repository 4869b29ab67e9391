import type { RawBuilder } from 'kysely';
import { naturalKey } from '../store/natural-key.js';

/**
 * A text column's natural sort key as SQL, for `ORDER BY` (`node-2` before `node-10`); ties are
 * left to the caller. The same SQL as the natural-key indexes (`store/natural-key.ts`), which
 * Host's name and the text fields a model is ordered by have.
 */
export function naturalOrder(kind: 'sqlite' | 'postgres', column: string): RawBuilder<string> {
  return naturalKey(kind, column);
}
