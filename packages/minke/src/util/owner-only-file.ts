import { stat } from 'node:fs/promises';
import { SetupError } from '../errors.js';

/**
 * Refuses a key file that users other than its owner can read (any group or other bit), naming
 * the fix. `what` names the file for the message ("the secret key"). Windows has no such bits.
 */
export async function refuseIfOthersCanRead(file: string, what: string): Promise<void> {
  if (process.platform === 'win32') return;
  const info = await stat(file);
  if ((info.mode & 0o077) !== 0) {
    throw new SetupError(
      `${what} ${file} can be read by other users: fix it with chmod 600 ${file}`,
    );
  }
}
