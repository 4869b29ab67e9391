/** The passwords a run can be given at its start, as the run dialogs' fields hold them. */
export interface RunPasswords {
  /** The SSH login's password (for hosts that take one instead of a key). */
  ssh: string;
  /** The password `sudo` asks for (a session's `sudo: true` commands). */
  sudo: string;
}

export const NO_PASSWORDS: RunPasswords = { ssh: '', sudo: '' };

/**
 * The run-time connection layer a start or re-run sends for the passwords given: the last layer
 * over the host's settings, for this run only, never stored. Undefined when none was given. A
 * password is sent as typed (spaces are part of it).
 *
 * @example
 *   runConnectionOf({ ssh: '', sudo: 's3cret' }); // => { sudo: { password: 's3cret' } }
 */
export function runConnectionOf(passwords: RunPasswords): Record<string, unknown> | undefined {
  const connection: Record<string, unknown> = {};
  if (passwords.ssh !== '') connection['password'] = passwords.ssh;
  if (passwords.sudo !== '') connection['sudo'] = { password: passwords.sudo };
  return Object.keys(connection).length > 0 ? connection : undefined;
}

/** What a confirm step says of the passwords given (never the passwords). */
export function passwordsGivenText(passwords: RunPasswords): string | undefined {
  const given = [passwords.ssh !== '' ? 'SSH' : '', passwords.sudo !== '' ? 'sudo' : ''].filter(
    Boolean,
  );
  if (given.length === 0) return undefined;
  const words = given.length > 1 ? 'passwords' : 'password';
  return `With the ${given.join(' and ')} ${words} given here, for this run only (never stored).`;
}
