import { hash, verify } from '@node-rs/argon2';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Agent broker credentials. A password is 32 random bytes (base64url), so it cannot be guessed
 * whatever the hash; argon2id is kept anyway (a stolen database gives nothing), with a small
 * memory cost because a whole fleet reconnects at once after a restart: about 4 ms per check.
 */
const ARGON2_OPTIONS = { memoryCost: 4096, timeCost: 1, parallelism: 1 } as const;

/** A new random agent password. */
export function generateAgentPassword(): string {
  return randomBytes(32).toString('base64url');
}

export function hashAgentPassword(password: string): Promise<string> {
  return hash(password, ARGON2_OPTIONS);
}

/** True when `password` matches `storedHash`; never throws. */
export async function verifyAgentPassword(storedHash: string, password: string): Promise<boolean> {
  try {
    return await verify(storedHash, password);
  } catch {
    return false;
  }
}

/**
 * Remembers passwords that verified, keyed by node and the stored hash they verified against,
 * so a reconnecting agent costs one SHA-256 instead of an argon2 run. A new enrolment changes
 * the stored hash, which makes the remembered entry useless at once.
 */
export class VerifiedCredentialCache {
  private readonly entries = new Map<string, { storedHash: string; digest: Buffer }>();

  constructor(private readonly maxEntries = 100_000) {}

  matches(node: string, storedHash: string, password: string): boolean {
    const entry = this.entries.get(node);
    if (!entry || entry.storedHash !== storedHash) return false;
    return timingSafeEqual(entry.digest, digest(password));
  }

  remember(node: string, storedHash: string, password: string): void {
    if (this.entries.size >= this.maxEntries) this.entries.clear();
    this.entries.set(node, { storedHash, digest: digest(password) });
  }
}

function digest(password: string): Buffer {
  return createHash('sha256').update(password).digest();
}
