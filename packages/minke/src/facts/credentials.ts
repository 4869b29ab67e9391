import { verify } from '@node-rs/argon2';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Agent broker credentials. An agent password is 32 random bytes (base64url) made by the machine,
 * never by a person, so it has 256 bits of entropy. Slow, salted hashes such as argon2 exist to
 * make guessing *low-entropy* secrets expensive; nobody can enumerate 2^256 candidates however
 * fast one hash is, so a stolen database is as useless with SHA-256 as with argon2. A plain
 * SHA-256 is enough here and costs about a microsecond, so a whole fleet reconnecting at once
 * after a broker restart costs no CPU worth measuring (argon2 cost milliseconds per login).
 * People's passwords (API users) keep argon2: see src/auth.
 *
 * Agents enrolled before this format have an argon2id hash; it still verifies, and the caller
 * stores the fast form returned as `upgrade` so the argon2 run happens once per agent.
 */
const FAST_PREFIX = '$minke-sha256$';

/** A new random agent password. */
export function generateAgentPassword(): string {
  return randomBytes(32).toString('base64url');
}

/** The stored form of an agent password (never the password itself). */
export function hashAgentPassword(password: string): string {
  return FAST_PREFIX + sha256(password).toString('base64url');
}

export interface AgentPasswordCheck {
  ok: boolean;
  /** Set when the password matched an old (argon2) hash: store this instead. */
  upgrade?: string;
}

/** Whether `password` matches `storedHash` (fast or legacy argon2 form); never throws. */
export async function verifyAgentPassword(
  storedHash: string,
  password: string,
): Promise<AgentPasswordCheck> {
  if (storedHash.startsWith(FAST_PREFIX)) {
    const expected = Buffer.from(storedHash.slice(FAST_PREFIX.length), 'base64url');
    const given = sha256(password);
    return { ok: expected.length === given.length && timingSafeEqual(expected, given) };
  }
  try {
    return (await verify(storedHash, password))
      ? { ok: true, upgrade: hashAgentPassword(password) }
      : { ok: false };
  } catch {
    return { ok: false };
  }
}

function sha256(password: string): Buffer {
  return createHash('sha256').update(password, 'utf8').digest();
}
