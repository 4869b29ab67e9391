import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  sign,
  verify,
  type KeyObject,
} from 'node:crypto';
import type { Outcome, Request, SignedRequest } from './messages.js';

/**
 * ed25519 signing of server requests with node:crypto only.
 *
 * What is signed is `<context>\n<canonical JSON of the request>`: the context keeps a signature
 * made for one purpose from being valid for another, and the canonical form (object keys sorted,
 * no white space, JSON's own number and string forms, as RFC 8785 does for the values we send)
 * makes the bytes independent of how either side orders keys.
 */
export const REQUEST_SIGNING_CONTEXT = 'minke-request-v1';

/** A key pair in both of the forms Minke reads: PEM, and base64 of the raw 32-byte keys. */
export interface SigningKeyPair {
  publicKeyPem: string;
  privateKeyPem: string;
  /** The raw public key, base64: what `minke agents enroll` writes into an agent's config. */
  publicKeyBase64: string;
  /** The raw private key (seed), base64. */
  privateKeyBase64: string;
}

/** @example const { privateKeyPem, publicKeyBase64 } = generateSigningKeyPair(); */
export function generateSigningKeyPair(): SigningKeyPair {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  return {
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKeyBase64: publicKeyToBase64(publicKey),
    privateKeyBase64: base64UrlToBase64(jwkField(privateKey, 'd')),
  };
}

/** The raw 32-byte public key of an ed25519 key (public or private), base64. */
export function publicKeyToBase64(key: KeyObject): string {
  const publicKey = key.type === 'private' ? createPublicKey(key) : key;
  return base64UrlToBase64(jwkField(publicKey, 'x'));
}

/** Reads an ed25519 public key from PEM (SPKI) or from base64 of its raw 32 bytes; never throws. */
export function parsePublicKey(text: string): Outcome<KeyObject> {
  const trimmed = text.trim();
  try {
    if (trimmed.startsWith('-----BEGIN')) return ed25519(createPublicKey(trimmed));
    const raw = rawKeyBytes(trimmed);
    if (!raw) return { ok: false, reason: notAKey('public') };
    const jwk = { kty: 'OKP', crv: 'Ed25519', x: raw.toString('base64url') };
    return ed25519(createPublicKey({ key: jwk, format: 'jwk' }));
  } catch (error) {
    return { ok: false, reason: `${notAKey('public')} (${(error as Error).message})` };
  }
}

/** Reads an ed25519 private key from PEM (PKCS#8) or from base64 of its raw 32-byte seed. */
export function parsePrivateKey(text: string): Outcome<KeyObject> {
  const trimmed = text.trim();
  try {
    if (trimmed.startsWith('-----BEGIN')) return ed25519(createPrivateKey(trimmed));
    const raw = rawKeyBytes(trimmed);
    if (!raw) return { ok: false, reason: notAKey('private') };
    const der = Buffer.concat([PKCS8_ED25519_PREFIX, raw]);
    return ed25519(createPrivateKey({ key: der, format: 'der', type: 'pkcs8' }));
  } catch (error) {
    return { ok: false, reason: `${notAKey('private')} (${(error as Error).message})` };
  }
}

/**
 * The one serialization that is signed: keys sorted at every level, no white space. Throws a
 * TypeError on what JSON cannot carry (functions, bigint, NaN, Infinity, cycles).
 */
export function canonicalJson(value: unknown): string {
  return canonical(value, 0);
}

/** Signs any JSON value under `context`; returns the signature as base64. */
export function signPayload(payload: unknown, privateKey: KeyObject, context: string): string {
  return sign(null, signedBytes(payload, context), privateKey).toString('base64');
}

/**
 * True when `signature` (base64) is a valid signature of `payload` under `context` by one of
 * `publicKeys`. Never throws: a payload that cannot be serialized is simply not verified.
 */
export function verifyPayload(
  payload: unknown,
  signature: string,
  publicKeys: KeyObject | readonly KeyObject[],
  context: string,
): boolean {
  let bytes: Buffer;
  try {
    bytes = signedBytes(payload, context);
  } catch {
    return false;
  }
  const signatureBytes = Buffer.from(signature, 'base64');
  if (signatureBytes.length !== 64) return false;
  const keys: readonly KeyObject[] = isKeyList(publicKeys) ? publicKeys : [publicKeys];
  return keys.some((key) => verifySafely(bytes, key, signatureBytes));
}

/**
 * Signs a request for publication.
 *
 * @example
 *   const key = parsePrivateKey(pem);
 *   if (key.ok) client.publish(topics.requestAll, JSON.stringify(signRequest(request, key.value)));
 */
export function signRequest(request: Request, privateKey: KeyObject): SignedRequest {
  return { request, signature: signPayload(request, privateKey, REQUEST_SIGNING_CONTEXT) };
}

/**
 * Checks the signature of a received request. `request` is the object exactly as received (before
 * any schema parsing strips fields), so what is verified is what the server signed.
 */
export function verifyRequestSignature(
  request: unknown,
  signature: string,
  publicKeys: KeyObject | readonly KeyObject[],
): boolean {
  return verifyPayload(request, signature, publicKeys, REQUEST_SIGNING_CONTEXT);
}

const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

function signedBytes(payload: unknown, context: string): Buffer {
  return Buffer.from(`${context}\n${canonicalJson(payload)}`, 'utf8');
}

function isKeyList(keys: KeyObject | readonly KeyObject[]): keys is readonly KeyObject[] {
  return Array.isArray(keys);
}

function verifySafely(bytes: Buffer, key: KeyObject, signature: Buffer): boolean {
  try {
    return verify(null, bytes, key, signature);
  } catch {
    return false;
  }
}

function canonical(value: unknown, depth: number): string {
  if (depth > 64) throw new TypeError('value is nested too deeply to sign');
  if (value === null || typeof value === 'boolean' || typeof value === 'string') {
    return JSON.stringify(value);
  }
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError(`cannot sign the number ${value}`);
    return JSON.stringify(value);
  }
  if (typeof value === 'object' && typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    return canonical((value as { toJSON: () => unknown }).toJSON(), depth + 1);
  }
  if (Array.isArray(value)) {
    return `[${value.map((item: unknown) => canonical(item ?? null, depth + 1)).join(',')}]`;
  }
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, item]) => item !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([key, item]) => `${JSON.stringify(key)}:${canonical(item, depth + 1)}`);
    return `{${entries.join(',')}}`;
  }
  throw new TypeError(`cannot sign a value of type ${typeof value}`);
}

function rawKeyBytes(text: string): Buffer | undefined {
  if (!/^[A-Za-z0-9+/_-]{43}=?$/.test(text)) return undefined;
  const raw = Buffer.from(text, text.includes('-') || text.includes('_') ? 'base64url' : 'base64');
  return raw.length === 32 ? raw : undefined;
}

function ed25519(key: KeyObject): Outcome<KeyObject> {
  if (key.asymmetricKeyType === 'ed25519') return { ok: true, value: key };
  return { ok: false, reason: `key is ${key.asymmetricKeyType ?? 'not asymmetric'}, not ed25519` };
}

function notAKey(kind: 'public' | 'private'): string {
  return `not an ed25519 ${kind} key: expected PEM or base64 of the raw 32-byte key`;
}

function jwkField(key: KeyObject, field: 'x' | 'd'): string {
  const value = key.export({ format: 'jwk' })[field];
  if (typeof value !== 'string') throw new TypeError(`key has no ${field} component`);
  return value;
}

function base64UrlToBase64(text: string): string {
  return Buffer.from(text, 'base64url').toString('base64');
}
