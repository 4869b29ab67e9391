import { SetupError } from '../errors.js';
import { isModelDefinition } from '../model/define-model.js';
import type { ModelRegistry } from '../model/model-registry.js';
import type {
  CommandChainSession,
  SessionChain,
  SingleCommandSession,
} from './builtin-sessions.js';
import { timeLimitProblem } from '@minke/contract/time-limit';
import { isSessionClass, type SessionClass } from './session.js';
import { runPermissionOf, verboseNameOf } from './session-names.js';

/** A registered session, checked once at start-up. */
export interface SessionInfo {
  name: string;
  verboseName: string;
  group: string | undefined;
  description: string | undefined;
  models: string[];
  permissions: string[];
  runPermission: string | undefined;
  confirm: boolean;
  parallelPerHost: boolean;
  /** Past it a session is stopped, killed and ends failed; undefined: no limit. */
  timeoutMs: number | undefined;
  cls: SessionClass;
}

export interface SessionRegistry {
  readonly sessions: ReadonlyMap<string, SessionInfo>;
  get(name: string): SessionInfo;
  /** Sessions that work on a model, in registration order. */
  forModel(model: string): SessionInfo[];
}

/**
 * Registers the sessions a project lists: abstract ones are skipped (abstract is not inherited),
 * and a setup mistake stops start-up with a message naming the session.
 */
export function buildSessionRegistry(
  classes: readonly unknown[],
  models: ModelRegistry,
): SessionRegistry {
  const sessions = new Map<string, SessionInfo>();
  classes.forEach((candidate, index) => {
    if (!isSessionClass(candidate)) {
      throw new SetupError(
        `sessions[${index}] is not a session class: extend Session (or a built-in session type)`,
      );
    }
    if (Object.hasOwn(candidate, 'abstract') && candidate.abstract) return;
    const info = describe(candidate, models);
    if (sessions.has(info.name)) {
      throw new SetupError(
        `session ${info.name} couldn't be registered: a session with that name was already registered`,
      );
    }
    sessions.set(info.name, info);
  });
  return {
    sessions,
    get(name) {
      const info = sessions.get(name);
      if (!info)
        throw new SetupError(`unknown session "${name}" (run \`minke sessions list\` to see them)`);
      return info;
    },
    forModel(model) {
      return [...sessions.values()].filter((s) => s.models.includes(model));
    },
  };
}

function describe(cls: SessionClass, models: ModelRegistry): SessionInfo {
  const name = cls.name;
  const fail = (reason: string) =>
    new SetupError(`session ${name} couldn't be registered: ${reason}`);
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw fail('a session class needs a name');
  if (cls.workOn.length === 0) throw fail('workOn is empty: name at least one model (or Host)');
  const modelNames = cls.workOn.map((entry) => {
    const modelName = isModelDefinition(entry) ? entry.name : entry;
    if (typeof modelName !== 'string' || !models.models.has(modelName)) {
      throw fail(`workOn names ${String(modelName)}, which is not a model of this project`);
    }
    return modelName;
  });
  if (
    cls.sessionKind === 'single-command' &&
    !(cls as unknown as typeof SingleCommandSession).command
  ) {
    throw fail('a SingleCommandSession needs a command');
  }
  if (
    cls.sessionKind === 'command-chain' &&
    (cls as unknown as typeof CommandChainSession).commands.length === 0
  ) {
    throw fail('a CommandChainSession needs commands');
  }
  if (cls.sessionKind === 'session-chain') {
    const chained = (cls as unknown as typeof SessionChain).sessions;
    if (chained.length === 0) throw fail('a SessionChain needs sessions');
    chained.forEach((sub, i) => {
      if (!isSessionClass(sub)) throw fail(`sessions[${i}] is not a session class`);
      const wrong = sub.timeoutMs === undefined ? undefined : timeLimitProblem(sub.timeoutMs);
      if (wrong) throw fail(`sessions[${i}] (${sub.name}): ${wrong}`);
    });
  }
  if (
    cls.form !== undefined &&
    typeof (cls.form as { safeParse?: unknown }).safeParse !== 'function'
  ) {
    throw fail('form must be a zod schema');
  }
  const { timeoutMs } = cls;
  const timeLimitWrong = timeoutMs === undefined ? undefined : timeLimitProblem(timeoutMs);
  if (timeLimitWrong) throw fail(timeLimitWrong);
  const runPermission = cls.autoPermission ? runPermissionOf(cls) : undefined;
  return {
    name,
    verboseName: verboseNameOf(cls),
    group: cls.group,
    description: cls.description,
    models: [...new Set(modelNames)],
    permissions: [...cls.permissions, ...(runPermission ? [runPermission] : [])],
    runPermission,
    confirm: cls.confirm,
    parallelPerHost: cls.parallelPerHost,
    timeoutMs,
    cls,
  };
}
