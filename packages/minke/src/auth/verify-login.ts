import { hash, verify } from '@node-rs/argon2';
import type { Database } from '../store/database.js';
import type { UserOperations, UserRecord } from '../operations/users.js';

let dummyHash: Promise<string> | undefined;

/**
 * Checks a user name and password. A wrong name costs as much time as a wrong password (an
 * argon2id check against a throw-away hash), so response times do not tell which names exist.
 * Records the login time on success.
 */
export async function verifyLogin(
  database: Database,
  users: UserOperations,
  username: string,
  password: string,
): Promise<UserRecord | undefined> {
  const user = await users.authenticate(username, password);
  if (!user) {
    const row = await database.tables
      .selectFrom('minke_users')
      .select('is_active')
      .where('username', '=', username)
      .executeTakeFirst();
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
