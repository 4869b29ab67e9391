import type { Choice } from '@minke/contract';

/** How an option reads: its label, and for fact and field choices how many objects have it. */
export function choiceText(choice: Choice, selected: number): string {
  return choice.count === null
    ? choice.label
    : `${choice.label} — on ${choice.count} of ${selected}`;
}

/**
 * The form keeps text (see schema-form): one choice as its value's text, several as a JSON list,
 * which the form sends parsed, so numbers stay numbers.
 */
export function toFormValue(chosen: readonly Choice[], multiple: boolean): string {
  if (multiple) return chosen.length === 0 ? '' : JSON.stringify(chosen.map((c) => c.value));
  const [one] = chosen;
  return one === undefined ? '' : String(one.value);
}

/** The options the form's text stands for (values no longer offered are dropped). */
export function fromFormValue(
  value: string | boolean | undefined,
  options: readonly Choice[],
  multiple: boolean,
): Choice[] {
  if (typeof value !== 'string' || value === '') return [];
  let values: unknown[] = [value];
  if (multiple) {
    try {
      const parsed = JSON.parse(value) as unknown;
      values = Array.isArray(parsed) ? parsed : [];
    } catch {
      values = [];
    }
  }
  const wanted = new Set(values.map(String));
  return options.filter((option) => wanted.has(String(option.value)));
}
