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

/** A batch policy in words: "batches of 25%, 10 s apart, at most 10% failed". */
export function batchText(batch: JobItem['batch']): string {
  if (!batch) return 'All objects at once (no batches).';
  const pause = batch.pauseSeconds ? `, ${batch.pauseSeconds} s apart` : '';
  const budget =
    batch.maxFail === undefined ? ', no failure budget' : `, at most ${batch.maxFail} failed`;
  return `In batches of ${batch.size}${pause}${budget}.`;
}

/** A job's own notification rules in words, or that only the project's apply. */
export function rulesText(rules: JobItem['notify']): string {
  if (rules.length === 0) return "Notifications: the project's rules only.";
  return `Notifications: ${rules.map((rule) => `${rule.on.join(', ')} → ${rule.channel}`).join('; ')}.`;
}
