import { useEffect, useState } from 'react';
import { getSessions } from '../api/metadata.js';

/**
 * Session class name → verbose name, for pages whose rows carry the class name only (the runs
 * list): the sessions the user may run. A session they may no longer run keeps its class name.
 */
export function useVerboseNames(): Map<string, string> {
  const [names, setNames] = useState(new Map<string, string>());
  useEffect(() => {
    let live = true;
    getSessions().then(
      (list) => live && setNames(new Map(list.map((s) => [s.name, s.verboseName]))),
      () => undefined, // class names stay
    );
    return () => {
      live = false;
    };
  }, []);
  return names;
}
