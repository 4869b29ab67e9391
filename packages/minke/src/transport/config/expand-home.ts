import { homedir } from 'node:os';
import { join } from 'node:path';

/** `~` and `~/x` mean the home directory of the user Minke runs as, as in OpenSSH files. */
export function expandHome(path: string): string {
  if (path === '~') return homedir();
  if (path.startsWith('~/')) return join(homedir(), path.slice(2));
  return path;
}
