import type { JobItem } from '@minke/contract';

/** A selection as one line: `where …`, `ids 1, 2` or `all`. */
export function selectionText(selection: JobItem['selection']): string {
  if (selection.kind === 'where') return `where ${selection.where}`;
  if (selection.kind === 'ids') return `ids ${selection.ids.join(', ')}`;
  return 'all';
}

/** A time as the browser's locale shows it, or a dash. */
export function when(iso: string | null | undefined): string {
  return iso ? new Date(iso).toLocaleString() : '—';
}
