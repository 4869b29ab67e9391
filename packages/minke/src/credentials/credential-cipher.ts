import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { SecretKey } from './secret-key.js';

const algorithm = 'aes-256-gcm';
const ivBytes = 12;
const tagBytes = 16;

/**
 * What a ciphertext is bound to: a row copied onto another credential's row (or retyped) no
 * longer opens, because GCM checks this associated data along with the ciphertext.
 */
export function associatedData(name: string, type: string): Buffer {
  return Buffer.from(`minke-credential/v1\0${name}\0${type}`, 'utf8');
}

/** Encrypts with a fresh random IV; the result is base64 of IV ‖ tag ‖ ciphertext. */
export function seal(key: SecretKey, plaintext: Buffer, aad: Buffer): string {
  const iv = randomBytes(ivBytes);
  const cipher = createCipheriv(algorithm, key.key, iv, { authTagLength: tagBytes });
  cipher.setAAD(aad);
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64');
}

/** Decrypts `seal`'s output; undefined when the key, the data or the binding does not match. */
export function open(key: SecretKey, sealed: string, aad: Buffer): Buffer | undefined {
  const bytes = Buffer.from(sealed, 'base64');
  if (bytes.length < ivBytes + tagBytes) return undefined;
  try {
    const decipher = createDecipheriv(algorithm, key.key, bytes.subarray(0, ivBytes), {
      authTagLength: tagBytes,
    });
    decipher.setAAD(aad);
    decipher.setAuthTag(bytes.subarray(ivBytes, ivBytes + tagBytes));
    return Buffer.concat([decipher.update(bytes.subarray(ivBytes + tagBytes)), decipher.final()]);
  } catch {
    return undefined;
  }
}
