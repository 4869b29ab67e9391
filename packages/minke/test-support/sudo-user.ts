/**
 * Password logins and sudo's password prompt need a user that has a password and may sudo with
 * it. The tests create no system users; CI sets one up and names it here:
 *
 *   MINKE_TEST_SUDO_USER      a login user with a password, allowed `ALL=(ALL) ALL` in sudoers
 *   MINKE_TEST_SUDO_PASSWORD  that user's password
 */
import { existsSync } from 'node:fs';

export interface PasswordUser {
  user: string;
  password: string;
}

/** The configured user, or the reason why password tests are skipped. */
export function passwordTestUser(): PasswordUser | string {
  const user = process.env['MINKE_TEST_SUDO_USER'];
  const password = process.env['MINKE_TEST_SUDO_PASSWORD'];
  if (!user || !password) {
    return 'MINKE_TEST_SUDO_USER and MINKE_TEST_SUDO_PASSWORD are not set (a user with a password and sudo rights)';
  }
  return { user, password };
}

/** Why the sudo test cannot run, or undefined. */
export function sudoUnavailableReason(): string | undefined {
  if (!existsSync('/usr/bin/sudo')) return '/usr/bin/sudo is not installed';
  const user = passwordTestUser();
  return typeof user === 'string' ? user : undefined;
}
