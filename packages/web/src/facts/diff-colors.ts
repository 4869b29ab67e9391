import type { ChangeKind } from '@minke/contract';

/** Added green, removed red, changed amber: the background of a changed path. */
export const DIFF_COLORS: Record<ChangeKind, string> = {
  added: '#dff0d8',
  removed: '#f2dede',
  changed: '#ffe9b3',
};

/** The stronger edge of the same colours, so the kinds tell apart in grey-scale prints too. */
export const DIFF_EDGES: Record<ChangeKind, string> = {
  added: '#2e7d32',
  removed: '#c62828',
  changed: '#ef8f00',
};

export const DIFF_SIGNS: Record<ChangeKind, string> = { added: '+', removed: '−', changed: '~' };

/** A path as the fact search writes it: `os.release`, `tags.0`; the whole value is `(value)`. */
export function pathText(path: readonly string[]): string {
  return path.length === 0 ? '(value)' : path.join('.');
}
