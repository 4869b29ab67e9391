import { shownValue } from '../util/display-value.js';

export { shownValue };

/**
 * The fields that differ between a thing before and after a change, each as
 * `field before → after`, in the order given. `show` writes a value as a person reads it.
 *
 * @example
 *   fieldChanges({ port: 22 }, { port: 2222 }, ['port']); // ['port 22 → 2222']
 */
export function fieldChanges<T extends Record<string, unknown>>(
  before: T,
  after: T,
  fields: readonly (keyof T & string)[],
  show: (value: unknown, field: string, which: T) => string = shownValue,
): string[] {
  return fields
    .filter((field) => JSON.stringify(before[field]) !== JSON.stringify(after[field]))
    .map(
      (field) =>
        `${field} ${show(before[field], field, before)} → ${show(after[field], field, after)}`,
    );
}

/** What `… set` prints: `changed SUBJECT: …`, or that nothing changed. */
export function changeLine(subject: string, changes: readonly string[], now = subject): string {
  return changes.length === 0 ? `no change to ${now}` : `changed ${subject}: ${changes.join(', ')}`;
}
