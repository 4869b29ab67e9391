import { getSessions } from '../api/metadata.js';
import { useLoaded } from '../api/use-loaded.js';

const NO_NAMES: ReadonlyMap<string, string> = new Map();

/**
 * Session class name → verbose name, for pages whose rows carry the class name only (the runs
 * list): the sessions the user may run. A session they may no longer run keeps its class name.
 */
export function useVerboseNames(): ReadonlyMap<string, string> {
  const names = useLoaded(
    async () => new Map((await getSessions()).map((s) => [s.name, s.verboseName])),
    [],
  );
  return names.value ?? NO_NAMES; // unread, or unreadable: class names stay
}
