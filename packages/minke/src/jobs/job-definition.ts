import type { JobScheduleInput, JobSecretSource, NewJobBody } from '@minke/contract';
import { mayOnModel, mayRun, modelPermission } from '../auth/access.js';
import type { RunUser } from '../auth/run-user.js';
import {
  mayUseCredential,
  useCredentialPermission,
} from '../credentials/credential-permissions.js';
import type { CredentialStore } from '../credentials/credential-store.js';
import { InputError, NotFoundError, PermissionDenied } from '../errors.js';
import { parseWhere } from '../query/parse-where.js';
import { formShape, isSecretField } from '../session/form-meta.js';
import type { SessionInfo, SessionRegistry } from '../session/session-registry.js';
import { parseCron } from './cron-times.js';
import type { StoredSchedule } from './saved-job.js';

/** Names that read as secrets are kept out of stored data even when the form does not say so. */

/** The fields of a job that the project must agree with: checked at create and at change. */
export type JobDefinition = Pick<
  NewJobBody,
  'session' | 'model' | 'selection' | 'data' | 'secrets'
> & { schedule: StoredSchedule | null };

/**
 * Checks a job against the project and the user who saves it: the session exists and works on
 * the model; the user may run it and view the model (a job runs with its owner's rights); the
 * where parses; no secret sits in the data in clear; each secret comes from a password credential
 * the user may use, or is asked at launch (never on a schedule: nobody is there to answer); the
 * other form values are valid. Returns the model.
 */
export async function checkJobDefinition(
  sessions: SessionRegistry,
  credentials: CredentialStore,
  job: JobDefinition,
  user: RunUser,
): Promise<string> {
  const session = sessions.sessions.get(job.session);
  if (!session) throw new NotFoundError(`unknown session "${job.session}"`);
  const model = modelOf(session, job.model);
  if (!mayRun(user, session))
    throw new PermissionDenied(
      `you may not save a job of ${session.name}: it needs the permission(s) ${session.permissions.join(', ')}`,
    );
  if (!mayOnModel(user, 'view', model))
    throw new PermissionDenied(
      `you may not save a job on ${model}: it needs the permission ${modelPermission('view', model)}`,
    );
  if (job.selection.kind === 'where') {
    try {
      parseWhere(job.selection.where);
    } catch (error) {
      throw new InputError(`selection: ${(error as Error).message}`, {
        fields: { 'selection.where': (error as Error).message },
      });
    }
  }
  const secrets = job.secrets ?? {};
  checkSecretFields(session, job.data ?? {}, secrets);
  for (const [field, source] of Object.entries(secrets))
    await checkSecretSource(credentials, field, source, user);
  if (job.schedule) {
    const asked = Object.entries(secrets).find(([, source]) => source === 'ask');
    if (asked)
      throw new InputError(
        `a scheduled job cannot ask for ${asked[0]} at launch: take it from a credential`,
        { fields: { [`secrets.${asked[0]}`]: 'asked at launch, but the job has a schedule' } },
      );
  }
  checkFormValues(session, job.data ?? {}, secrets);
  return model;
}

function modelOf(session: SessionInfo, requested: string | undefined): string {
  if (requested !== undefined) {
    if (!session.models.includes(requested))
      throw new InputError(
        `${session.name} does not work on ${requested}: it works on ${session.models.join(', ')}`,
        { fields: { model: 'not in workOn' } },
      );
    return requested;
  }
  if (session.models.length === 1) return session.models[0] as string;
  throw new InputError(`${session.name} works on ${session.models.join(', ')}: name one`, {
    fields: { model: 'required' },
  });
}

function checkSecretFields(
  session: SessionInfo,
  data: Record<string, unknown>,
  secrets: Record<string, JobSecretSource>,
): void {
  const fields = Object.keys(formShape(session));
  for (const field of Object.keys(data)) {
    if (isSecretField(session, field))
      throw new InputError(
        `${field} is a secret field: it is never stored in clear; take it from a credential or ask for it at launch`,
        { fields: { [`data.${field}`]: 'secret: give it under secrets' } },
      );
  }
  for (const field of Object.keys(secrets)) {
    if (!fields.includes(field))
      throw new InputError(`${field} is not a field of ${session.name}'s form`, {
        fields: { [`secrets.${field}`]: 'not a form field' },
      });
  }
}

async function checkSecretSource(
  credentials: CredentialStore,
  field: string,
  source: JobSecretSource,
  user: RunUser,
): Promise<void> {
  if (source === 'ask') return;
  const name = source.credential;
  if (!mayUseCredential(user, name))
    throw new PermissionDenied(
      `you may not use credential ${name}: it needs the permission ${useCredentialPermission(name)}`,
    );
  const info = await credentials.get(name).catch(() => undefined);
  if (!info)
    throw new InputError(`credential ${name} does not exist`, {
      fields: { [`secrets.${field}`]: 'no such credential' },
    });
  if (info.type !== 'password')
    throw new InputError(`credential ${name} is an SSH key: a form field takes a password`, {
      fields: { [`secrets.${field}`]: 'not a password credential' },
    });
}

/** The non-secret values against the form (secret ones stand in with a placeholder). */
function checkFormValues(
  session: SessionInfo,
  data: Record<string, unknown>,
  secrets: Record<string, JobSecretSource>,
): void {
  const form = session.cls.form;
  if (!form) {
    if (Object.keys(data).length > 0)
      throw new InputError(`${session.name} has no form: a job of it takes no data`, {
        fields: { data: 'no form' },
      });
    return;
  }
  const filled = { ...data };
  for (const field of Object.keys(secrets)) filled[field] = 'placeholder';
  const parsed = form.safeParse(filled);
  if (parsed.success) return;
  const fields: Record<string, string> = {};
  for (const issue of parsed.error.issues) {
    const key =
      issue.code === 'unrecognized_keys' ? issue.keys.join(', ') : issue.path.join('.') || '(form)';
    if (key in secrets) continue;
    fields[`data.${key}`] =
      issue.code === 'unrecognized_keys' ? 'not a field of this form' : issue.message;
  }
  if (Object.keys(fields).length === 0) return;
  const summary = Object.entries(fields)
    .map(([field, reason]) => `${field.slice(5)}: ${reason}`)
    .join('; ');
  throw new InputError(`invalid form data for ${session.name}: ${summary}`, { fields });
}

/** A schedule as given, with its defaults, checked (cron, zone, end). */
export function scheduleOf(
  input: JobScheduleInput,
  previous: StoredSchedule | null,
  now: Date = new Date(),
): StoredSchedule {
  const schedule: StoredSchedule = {
    cron: input.cron.trim(),
    timezone: input.timezone ?? 'UTC',
    endAt: input.endAt ?? null,
    enabled: input.enabled ?? true,
    missed: input.missed ?? 'skip',
    overlap: input.overlap ?? 'skip',
    since: null,
    lastTickAt: previous?.lastTickAt ?? null,
  };
  parseCron(schedule);
  if (schedule.endAt !== null) schedule.endAt = new Date(schedule.endAt).toISOString();
  const sameTiming =
    previous !== null &&
    previous.cron === schedule.cron &&
    previous.timezone === schedule.timezone &&
    previous.enabled === schedule.enabled;
  // A new timing (or switching it on) starts now: ticks before it were never due.
  schedule.since = sameTiming ? previous.since : now.toISOString();
  return schedule;
}
