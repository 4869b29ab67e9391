import { hash, verify } from '@node-rs/argon2';
import type { Database } from '../store/database.js';
import { UserStore } from '../users/user-store.js';

/** What a login needs of the accounts (`UserOperations`): a password check, and noting the login. */
export interface LoginAccounts<User extends { id: number }> {
  authenticate(username: string, password: string): Promise<User | undefined>;
  recordLogin(userId: number): Promise<unknown>;
}

let dummyHash: Promise<string> | undefined;

/**
 * Checks a user name and password. A wrong name costs as much time as a wrong password (an
 * argon2id check against a throw-away hash), so response times do not tell which names exist.
 * Records the login time on success.
 */
export async function verifyLogin<User extends { id: number }>(
  database: Database,
  users: LoginAccounts<User>,
  username: string,
  password: string,
): Promise<User | undefined> {
  const user = await users.authenticate(username, password);
  if (!user) {
    const row = await new UserStore(database).byUsername(username);
    // Unknown or inactive: authenticate did not hash anything, so spend the same time here.
    if (!row?.is_active) {
      dummyHash ??= hash(`minke-dummy-${Date.now()}`);
      await verify(await dummyHash, password).catch(() => false);
    }
    return undefined;
  }
  await users.recordLogin(user.id);
  return user;
}
