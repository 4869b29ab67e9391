import { killGroupScript } from '../exec/command-script.js';
import { TransportError } from '../transport-error.js';
import type { CommandResult } from '../transport.js';

/** A kill competes with running commands for the host's channels; a refused channel is retried. */
const attempts = 4;
const retryDelayMs = 250;

/**
 * Ends a remote process group (TERM, then KILL after a grace time) through a channel of its own.
 * This does not rely on SSH `signal` requests, which OpenSSH ignores in several setups (e.g.
 * root logins). Failures are swallowed: the caller closes the command's channel as a last resort.
 */
export async function killRemoteGroup(
  pgid: number,
  run: (script: string) => Promise<CommandResult>,
): Promise<boolean> {
  if (!Number.isSafeInteger(pgid) || pgid <= 1) return false;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    try {
      await run(killGroupScript(pgid));
      return true;
    } catch (error) {
      const retry = error instanceof TransportError && error.reason === 'channel_failed';
      if (!retry || attempt === attempts) return false;
      await new Promise((resolve) => setTimeout(resolve, retryDelayMs * attempt));
    }
  }
  return false;
}
