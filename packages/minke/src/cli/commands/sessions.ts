import type { Command } from 'commander';
import { InputError } from '../../errors.js';
import type { ModelRegistry } from '../../model/model-registry.js';
import type { SessionInfo, SessionRegistry } from '../../session/session-registry.js';
import { sessionSummary } from '../../session/session-summary.js';
import { stdoutOut, type Out } from '../output.js';
import type { GlobalOptions } from '../project-context.js';
import { remoteTarget } from '../remote/remote-target.js';
import { byGroupThenName, type SessionListing } from '../session-listing.js';

export function registerSessionCommands(program: Command): void {
  const sessions = program
    .command('sessions')
    .description("the project's sessions: what can run on which models");
  sessions
    .command('list')
    .description(
      'list registered sessions by group, with their models, permissions, form and time limit (with --server: those you may run there)',
    )
    .option('--model <model>', 'only sessions that work on this model')
    .option('--json', 'print JSON')
    .action((options: { model?: string; json?: boolean }) =>
      listSessions(program.opts<GlobalOptions>(), options, stdoutOut()),
    );
}

/**
 * `minke sessions list`. Reads the project's configuration only: sessions are code, so listing
 * them needs no database (and works before `minke migrate`). With a server, its catalog: the
 * sessions the token's user may run there.
 */
export async function listSessions(
  globals: GlobalOptions,
  options: { model?: string | undefined; json?: boolean | undefined },
  out: Out,
): Promise<void> {
  const remote = remoteTarget(globals);
  const listings = remote
    ? await (
        await import('../remote/remote-sessions.js')
      ).remoteSessionListings(
        new (await import('../remote/api-client.js')).ApiClient(remote),
        options.model,
      )
    : await localListings(globals, options.model);
  if (options.json) return out.json(listings);
  const { timeLimitText } = await import('@minke/contract/time-limit');
  if (listings.length === 0) {
    out.line(options.model === undefined ? 'no sessions' : `no sessions work on ${options.model}`);
    return;
  }
  out.table(
    ['NAME', 'VERBOSE NAME', 'GROUP', 'MODELS', 'PERMISSIONS', 'FORM', 'TIMEOUT'],
    listings.map((s) => [
      s.name,
      s.verboseName,
      s.group ?? '',
      s.models.join(','),
      s.permissions.join(','),
      s.formFields === null ? '' : s.formFields.join(',') || '(no fields)',
      s.timeoutMs === null ? '' : timeLimitText(s.timeoutMs),
    ]),
  );
}

async function localListings(
  globals: GlobalOptions,
  model: string | undefined,
): Promise<SessionListing[]> {
  const { findProjectDir, loadProjectConfig } = await import('../../runtime/load-project.js');
  const { buildModelRegistry } = await import('../../model/model-registry.js');
  const { buildSessionRegistry } = await import('../../session/session-registry.js');
  const config = await loadProjectConfig(findProjectDir(globals.project));
  const models = buildModelRegistry(config.models);
  return sessionListings(buildSessionRegistry(config.sessions, models), models, model);
}

/** Sessions sorted by group, then name; ungrouped ones last. Only those on `model` if given. */
export function sessionListings(
  registry: SessionRegistry,
  models: ModelRegistry,
  model?: string,
): SessionListing[] {
  let infos = [...registry.sessions.values()];
  if (model !== undefined) {
    const name = knownModel(models, model);
    infos = infos.filter((info) => info.models.includes(name));
  }
  return infos.map(listing).sort(byGroupThenName);
}

function listing(info: SessionInfo): SessionListing {
  return {
    ...sessionSummary(info),
    formFields: formFields(info.cls.form),
  };
}

/** The keys of a zod object schema ([] for another kind of schema), null without a form. */
export function formFields(form: unknown): string[] | null {
  if (form === undefined || form === null) return null;
  const shape = (form as { shape?: unknown }).shape;
  return shape !== null && typeof shape === 'object' ? Object.keys(shape) : [];
}

/** The model's name as the project spells it (`server` → `Server`). */
function knownModel(models: ModelRegistry, name: string): string {
  if (models.models.has(name)) return name;
  const lower = name.toLowerCase();
  const found = [...models.models.keys()].find((known) => known.toLowerCase() === lower);
  if (found === undefined) {
    throw new InputError(
      `unknown model "${name}" (known: ${[...models.models.keys()].join(', ')})`,
    );
  }
  return found;
}
