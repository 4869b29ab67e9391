import type { ChoiceList } from '@minke/contract';
import { mayOnModel, mayRun, modelPermission, requireModelPermission } from '../auth/access.js';
import type { RunUser } from '../auth/run-user.js';
import { InputError, NotFoundError, PermissionDenied } from '../errors.js';
import { selectObjects } from '../operations/start-run.js';
import type { Project } from '../operations/project.js';
import type { SessionInfo } from '../session/session-registry.js';
import { loadChoiceSelection, readsObjects } from './choice-selection.js';
import { evaluateChoices } from './evaluate-choices.js';
import { choiceFields, type ChoiceField } from './form-choices.js';
import { selectedIds } from './selected-ids.js';

export interface ListChoicesInput {
  session: string;
  field: string;
  /** The model the run is on; needed when the session works on several. */
  model?: string | undefined;
  /** The selection: record ids (host names for Host), or a filter; none lists for no objects. */
  ids?: readonly (number | string)[] | undefined;
  where?: string | undefined;
  user: RunUser;
}

/**
 * The choices of one form field for a selection, as the run dialog and `GET
 * /api/sessions/:name/choices/:field` show them. The user needs the session's run permission,
 * view on the run's model (the selection is cut to what they may view), and view on the model
 * that model choices list.
 *
 * @example
 *   await listChoices(project, { session: 'Deploy', field: 'app', ids: [1, 2], user });
 */
export async function listChoices(project: Project, input: ListChoicesInput): Promise<ChoiceList> {
  const session = project.sessions.sessions.get(input.session);
  if (!session) throw new NotFoundError(`unknown session "${input.session}"`);
  if (!mayRun(input.user, session)) throw new PermissionDenied(`you may not run ${session.name}`);
  const model = runModel(session, input.model);
  requireModelPermission(input.user, 'view', model);
  const field = choiceFieldOf(session, input.field);
  mayReadSource(input.user, field);
  const ids =
    input.ids !== undefined && input.where === undefined
      ? await selectedIds(project, model, input.ids)
      : input.ids === undefined && input.where === undefined
        ? []
        : await selectObjects(project, model, { ids: input.ids, where: input.where }, input.user);
  const spec = field.choices.spec;
  const selection = await loadChoiceSelection(project, model, ids, readsObjects([spec]));
  const items = await evaluateChoices(project, spec, selection);
  return {
    session: session.name,
    field: field.field,
    source: field.choices.spec.kind,
    multiple: field.multiple,
    selected: ids.length,
    items,
  };
}

/** The named choice field of a session's form; a clear 404 naming the ones it has. */
export function choiceFieldOf(session: SessionInfo, name: string): ChoiceField {
  const fields = choiceFields(session);
  const field = fields.find((f) => f.field === name);
  if (field) return field;
  const known = fields.map((f) => f.field).join(', ') || 'none';
  throw new NotFoundError(
    `${session.name} has no form field "${name}" with choices (fields with choices: ${known})`,
  );
}

/** Listing the records of a model shows them: it needs view on that model. */
function mayReadSource(user: RunUser, field: ChoiceField): void {
  const spec = field.choices.spec;
  if (spec.kind !== 'model' || mayOnModel(user, 'view', spec.model)) return;
  throw new PermissionDenied(
    `the choices of ${field.field} list ${spec.model} records: it needs the permission ${modelPermission('view', spec.model)}`,
  );
}

function runModel(session: SessionInfo, requested: string | undefined): string {
  if (requested !== undefined) {
    if (!session.models.includes(requested))
      throw new InputError(`${session.name} does not work on ${requested}`, {
        fields: { model: 'not in workOn' },
      });
    return requested;
  }
  if (session.models.length === 1) return session.models[0] as string;
  throw new InputError(
    `${session.name} works on ${session.models.join(', ')}: name one with model`,
    {
      fields: { model: 'required' },
    },
  );
}
