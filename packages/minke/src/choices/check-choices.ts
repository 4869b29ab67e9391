import { InputError } from '../errors.js';
import type { Project } from '../operations/project.js';
import type { ChoiceCheck } from '../operations/start-run.js';
import type { SessionInfo } from '../session/session-registry.js';
import { loadChoiceSelection, readsObjects } from './choice-selection.js';
import type { ChoiceItem } from './choice-source.js';
import { evaluateChoices } from './evaluate-choices.js';
import { choiceFields } from './form-choices.js';

/** How many choices an error message lists before "and N more". */
const SHOWN_IN_ERRORS = 20;

/**
 * At submit, every form field with choices is checked against its choices computed again for
 * the selection being run: a value the form showed before the facts changed, or one typed by
 * hand, is refused with a message naming the field and listing the choices there are.
 */
export async function checkChoiceValues(
  project: Project,
  session: SessionInfo,
  model: string,
  ids: readonly number[],
  data: Readonly<Record<string, unknown>>,
): Promise<void> {
  const fields = choiceFields(session).filter(
    (field) => data[field.field] !== undefined && data[field.field] !== null,
  );
  if (fields.length === 0) return;
  const specs = fields.map((field) => field.choices.spec);
  const selection = await loadChoiceSelection(project, model, ids, readsObjects(specs));
  const problems: Record<string, string> = {};
  for (const field of fields) {
    const items = await evaluateChoices(project, field.choices.spec, selection);
    const given = data[field.field];
    const values = Array.isArray(given) ? (given as unknown[]) : [given];
    const allowed = new Set(items.map((item) => keyOf(item.value)));
    const wrong = values.filter((value) => !allowed.has(keyOf(value)));
    if (wrong.length === 0) continue;
    problems[field.field] =
      `${wrong.map((w) => JSON.stringify(w)).join(', ')} ${wrong.length === 1 ? 'is' : 'are'} not among the choices for this selection (${describe(items)})`;
  }
  const entries = Object.entries(problems);
  if (entries.length === 0) return;
  const summary = entries.map(([field, reason]) => `${field}: ${reason}`).join('; ');
  throw new InputError(`invalid form data for ${session.name}: ${summary}`, { fields: problems });
}

/** The choice check of `startRun` for one project (the runtime wires it into RunServices). */
export function choiceCheckFor(project: Project): ChoiceCheck {
  return (session, model, ids, data) => checkChoiceValues(project, session, model, ids, data);
}

/** Values compare as text: a form may send 3 or "3" for the record with id 3. */
function keyOf(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function describe(items: readonly ChoiceItem[]): string {
  if (items.length === 0) return 'there are none';
  const shown = items.slice(0, SHOWN_IN_ERRORS).map((item) => {
    const label = item.label === String(item.value) ? '' : ` (${item.label})`;
    const count = item.count === null ? '' : ` on ${item.count}`;
    return `${String(item.value)}${label}${count}`;
  });
  const more = items.length > SHOWN_IN_ERRORS ? `, and ${items.length - SHOWN_IN_ERRORS} more` : '';
  return `choices: ${shown.join(', ')}${more}`;
}
