import type { JsonSchema, SessionMeta } from '@minke/contract';
import { z } from 'zod';
import { mayOnModel, mayRun, type ModelAction } from '../auth/access.js';
import { NotFoundError } from '../errors.js';
import type { ModelDefinition } from '../model/define-model.js';
import type { Field } from '../model/fields.js';
import { HOST_MODEL } from '../model/host-model.js';
import type { Project } from './project.js';
import type { SessionInfo } from '../session/session-registry.js';
import { sessionSummary } from '../session/session-summary.js';
import type { RunUser } from '../auth/run-user.js';

/** A field as the admin renders it (the client-safe copy of its definition). */
export interface FieldMeta {
  name: string;
  kind: Field['kind'] | 'groups';
  optional: boolean;
  unique: boolean;
  default: unknown;
  label: string | null;
  help: string | null;
  values?: readonly string[];
  model?: string;
}

export interface ModelMeta {
  name: string;
  label: string;
  fields: FieldMeta[];
  display: readonly string[];
  searchFields: readonly string[];
  ordering: readonly string[];
  hostLookup: string;
  /** What the caller may do with the model's records. */
  permissions: Record<ModelAction, boolean>;
  /** Sessions the caller may run on the model. */
  sessions: string[];
}

const ACTIONS: readonly ModelAction[] = ['view', 'add', 'change', 'delete'];

/** The models the user may view, described for the admin; Host first. */
export function modelCatalog(project: Project, user: RunUser): ModelMeta[] {
  return [...project.models.models.values()]
    .filter((model) => mayOnModel(user, 'view', model.name))
    .map((model) => describeModel(project, model, user));
}

export function modelMeta(project: Project, name: string, user: RunUser): ModelMeta {
  const model = project.models.models.get(name);
  if (!model || !mayOnModel(user, 'view', name)) {
    // Named as the project's CLI names them, but only the models this user may view.
    const known = [...project.models.models.keys()].filter((m) => mayOnModel(user, 'view', m));
    throw new NotFoundError(`unknown model "${name}" (known: ${known.join(', ') || 'none'})`);
  }
  return describeModel(project, model, user);
}

/** Sessions the user may run, on one model or on any. */
export function sessionCatalog(project: Project, user: RunUser, model?: string): SessionMeta[] {
  if (model !== undefined && !project.models.models.has(model)) {
    throw new NotFoundError(`unknown model "${model}"`);
  }
  const sessions =
    model === undefined
      ? [...project.sessions.sessions.values()]
      : project.sessions.forModel(model);
  return sessions.filter((session) => mayRun(user, session)).map(describeSession);
}

function describeModel(project: Project, model: ModelDefinition, user: RunUser): ModelMeta {
  const fields: FieldMeta[] = Object.entries(model.fields).map(([name, field]) => ({
    name,
    kind: field.kind,
    optional: field.optional,
    unique: field.unique,
    default: field.default ?? null,
    label: field.label ?? null,
    help: field.help ?? null,
    ...(field.kind === 'enum' ? { values: field.values } : {}),
    ...(field.kind === 'ref' ? { model: field.model } : {}),
  }));
  if (model.name === HOST_MODEL) {
    fields.push({
      name: 'groups',
      kind: 'groups',
      optional: true,
      unique: false,
      default: [],
      label: 'Groups',
      help: 'Host groups, in the order their connection configs apply',
    });
  }
  return {
    name: model.name,
    label: model.label,
    fields,
    display: model.display,
    searchFields: model.searchFields,
    ordering: model.ordering,
    hostLookup: model.hostLookup,
    permissions: Object.fromEntries(
      ACTIONS.map((action) => [action, mayOnModel(user, action, model.name)]),
    ) as Record<ModelAction, boolean>,
    sessions: project.sessions
      .forModel(model.name)
      .filter((session) => mayRun(user, session))
      .map((session) => session.name),
  };
}

function describeSession(session: SessionInfo): SessionMeta {
  return { ...sessionSummary(session), form: formSchema(session) };
}

function formSchema(session: SessionInfo): JsonSchema | null {
  const form = session.cls.form;
  if (!form) return null;
  try {
    const { $schema: _ignored, ...schema } = z.toJSONSchema(form, {
      io: 'input',
      unrepresentable: 'any',
    });
    return schema as JsonSchema;
  } catch {
    return { type: 'object' }; // a form zod cannot describe still parses `data` on the server
  }
}
