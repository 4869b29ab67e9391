import { createRequire } from 'node:module';
import type ssh2 from 'ssh2';

/**
 * ssh2 (CommonJS, about thirty files with its crypto) is required at first use, so that a
 * command that opens no SSH connection — a run on local hosts, a list, a credential listing —
 * does not pay for loading it at start-up.
 *
 * In the CLI's bundle, `require` is the script's own, and the bundler reads ssh2 into the
 * bundle through this call: it is then compiled from the bundle's code cache (about 25 ms of a
 * fan-out's start less than requiring its files). Run as an ES module (tests, the dist files),
 * there is no `require` and the package is required from here.
 */
let loaded: typeof ssh2 | undefined;

export function ssh2Module(): typeof ssh2 {
  loaded ??= (
    typeof require === 'function'
      ? // eslint-disable-next-line @typescript-eslint/no-require-imports -- the bundler's hook, above
        require('ssh2')
      : createRequire(import.meta.url)('ssh2')
  ) as typeof ssh2;
  return loaded;
}
