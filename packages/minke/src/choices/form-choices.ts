import type { SessionInfo } from '../session/session-registry.js';
import { formShape } from '../session/form-meta.js';
import { isChoices, type Choices } from './choice-source.js';

/** A form field whose choices come from a source, and whether it takes a list of them. */
export interface ChoiceField {
  field: string;
  choices: Choices;
  multiple: boolean;
}

interface ZodLike {
  meta?: () => unknown;
  unwrap?: () => unknown;
  def?: { type?: string };
  element?: unknown;
}

/** The fields of a session's form that declare `.meta({ choices })`, in form order. */
export function choiceFields(session: SessionInfo): ChoiceField[] {
  const out: ChoiceField[] = [];
  for (const [field, schema] of Object.entries(formShape(session))) {
    const found = choicesOf(schema);
    if (found) out.push({ field, ...found });
  }
  return out;
}

/** The field's choices, looking through optional/default wrappers (bounded depth). */
function choicesOf(schema: unknown): { choices: Choices; multiple: boolean } | undefined {
  let current = schema as ZodLike | undefined;
  let choices: Choices | undefined;
  for (let depth = 0; depth < 6 && current; depth++) {
    const meta = typeof current.meta === 'function' ? current.meta() : undefined;
    const declared = (meta as { choices?: unknown } | undefined)?.choices;
    if (choices === undefined && isChoices(declared)) choices = declared;
    if (current.def?.type === 'array') {
      // `z.array(z.string()).meta({ choices })` or `z.array(z.string().meta({ choices }))`.
      choices ??= choicesOf(current.element)?.choices;
      return choices ? { choices, multiple: true } : undefined;
    }
    current = typeof current.unwrap === 'function' ? (current.unwrap() as ZodLike) : undefined;
  }
  return choices ? { choices, multiple: false } : undefined;
}
