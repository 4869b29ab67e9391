import { AsyncLocalStorage } from 'node:async_hooks';

/** Who makes a change and from where, as the audit log records it. */
export interface AuditActor {
  /** The user's id; null for the machine's operator at the local CLI. */
  userId: number | null;
  /** The user's name, or `operator (CLI)` (or MINKE_CLI_USER) for the local CLI. */
  name: string;
  /** How they came: `token NAME`, `web session` or `cli`. */
  via: string;
  /** The client's address (API requests only). */
  ip: string | null;
}

/**
 * Resolves the actor of the change being made. The API stores one per request (it may need to
 * look up a token's name, hence async); the CLI stores none and gets the operator.
 */
export type AuditActorSource = () => Promise<AuditActor> | AuditActor;

const storage = new AsyncLocalStorage<AuditActorSource>();

/**
 * Runs `fn` with the actor every audit row written inside it names. An async context rather than
 * a parameter, so that each operation records its own row where the change is made without every
 * call between the edge and the operation passing the actor along.
 */
export function runWithAuditActor<T>(source: AuditActorSource, fn: () => T): T {
  return storage.run(source, fn);
}

/** The operator at this machine's CLI (MINKE_CLI_USER names them when set). */
export function cliOperator(env: NodeJS.ProcessEnv = process.env): AuditActor {
  const named = env['MINKE_CLI_USER']?.trim();
  return {
    userId: null,
    name: named ? `${named} (CLI)` : 'operator (CLI)',
    via: 'cli',
    ip: null,
  };
}

/** The actor of the current change: the request's caller, else the CLI operator. */
export async function currentAuditActor(): Promise<AuditActor> {
  const source = storage.getStore();
  return source ? await source() : cliOperator();
}
