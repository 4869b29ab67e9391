import { createRequire } from 'node:module';
import type ssh2 from 'ssh2';

/**
 * ssh2 (CommonJS, about a hundred files with its crypto) is required at first use, so that a
 * command that opens no SSH connection — a run on local hosts, a list, a credential listing —
 * does not pay for loading it at start-up.
 */
const requireFromHere = createRequire(import.meta.url);
let loaded: typeof ssh2 | undefined;

export function ssh2Module(): typeof ssh2 {
  loaded ??= requireFromHere('ssh2') as typeof ssh2;
  return loaded;
}
