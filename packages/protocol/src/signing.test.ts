import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createRequest } from './messages.js';
import {
  canonicalJson,
  generateSigningKeyPair,
  parsePrivateKey,
  parsePublicKey,
  publicKeyToBase64,
  signPayload,
  signRequest,
  verifyPayload,
  verifyRequestSignature,
} from './signing.js';

function keys() {
  const pair = generateSigningKeyPair();
  const privateKey = parsePrivateKey(pair.privateKeyPem);
  const publicKey = parsePublicKey(pair.publicKeyBase64);
  if (!privateKey.ok || !publicKey.ok) throw new Error('key import failed');
  return { pair, privateKey: privateKey.value, publicKey: publicKey.value };
}

describe('canonicalJson', () => {
  it('sorts keys at every level and drops white space', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: 'x' } })).toBe(
      '{"a":{"c":"x","d":[3,{"y":2,"z":1}]},"b":1}',
    );
    expect(canonicalJson({ b: 1, a: 2 })).toBe(canonicalJson({ a: 2, b: 1 }));
  });

  it('writes strings and numbers as JSON does and leaves out undefined properties', () => {
    expect(canonicalJson({ s: 'é"\n', n: 1.5e-7, u: undefined, l: [undefined] })).toBe(
      '{"l":[null],"n":1.5e-7,"s":"é\\"\\n"}',
    );
  });

  it('refuses what JSON cannot carry', () => {
    expect(() => canonicalJson({ n: Number.NaN })).toThrow(TypeError);
    expect(() => canonicalJson({ f: () => 1 })).toThrow(TypeError);
    expect(() => canonicalJson(10n)).toThrow(TypeError);
    const cycle: Record<string, unknown> = {};
    cycle['self'] = cycle;
    expect(() => canonicalJson(cycle)).toThrow(/nested too deeply/);
  });
});

describe('keys', () => {
  it('reads the PEM and the raw base64 forms of the same key pair', () => {
    const { pair } = keys();
    const fromPem = parsePublicKey(pair.publicKeyPem);
    const fromRaw = parsePublicKey(pair.publicKeyBase64);
    const privateFromRaw = parsePrivateKey(pair.privateKeyBase64);
    expect(fromPem.ok && fromRaw.ok && privateFromRaw.ok).toBe(true);
    if (fromPem.ok && fromRaw.ok && privateFromRaw.ok) {
      expect(publicKeyToBase64(fromPem.value)).toBe(pair.publicKeyBase64);
      expect(publicKeyToBase64(privateFromRaw.value)).toBe(pair.publicKeyBase64);
    }
    expect(Buffer.from(pair.publicKeyBase64, 'base64')).toHaveLength(32);
  });

  it('explains what is wrong with a key instead of throwing', () => {
    expect(parsePublicKey('hello')).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/not an ed25519 public key/),
    });
    expect(
      parsePublicKey('-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----'),
    ).toMatchObject({
      ok: false,
    });
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 });
    expect(
      parsePublicKey(rsa.publicKey.export({ type: 'spki', format: 'pem' }).toString()),
    ).toEqual({
      ok: false,
      reason: 'key is rsa, not ed25519',
    });
    expect(parsePrivateKey(Buffer.alloc(16).toString('base64'))).toMatchObject({ ok: false });
  });
});

describe('signing requests', () => {
  it('verifies a signed request (round trip)', () => {
    const { privateKey, publicKey } = keys();
    const signed = signRequest(
      createRequest({ plugin: 'facter', target: { all: true } }),
      privateKey,
    );
    expect(verifyRequestSignature(signed.request, signed.signature, publicKey)).toBe(true);
    // The receiver sees the same object with its keys in another order.
    const reordered = Object.fromEntries(Object.entries(signed.request).reverse());
    expect(Object.keys(reordered)[0]).not.toBe(Object.keys(signed.request)[0]);
    expect(verifyRequestSignature(reordered, signed.signature, [publicKey])).toBe(true);
  });

  it('rejects a tampered request', () => {
    const { privateKey, publicKey } = keys();
    const signed = signRequest(
      createRequest({ plugin: 'facter', target: { all: true } }),
      privateKey,
    );
    for (const tampered of [
      { ...signed.request, plugin: 'ps' },
      { ...signed.request, target: { node: 'web1' } },
      { ...signed.request, expiresAt: '2999-01-01T00:00:00.000Z' },
      { ...signed.request, args: { extra: '1' } },
    ]) {
      expect(verifyRequestSignature(tampered, signed.signature, publicKey)).toBe(false);
    }
  });

  it('rejects a signature by another key, and accepts it when that key is among those trusted', () => {
    const server = keys();
    const intruder = keys();
    const signed = signRequest(
      createRequest({ plugin: 'ps', target: { all: true } }),
      intruder.privateKey,
    );
    expect(verifyRequestSignature(signed.request, signed.signature, server.publicKey)).toBe(false);
    expect(
      verifyRequestSignature(signed.request, signed.signature, [
        server.publicKey,
        intruder.publicKey,
      ]),
    ).toBe(true);
  });

  it('rejects garbage signatures without throwing', () => {
    const { publicKey } = keys();
    const request = createRequest({ plugin: 'ps', target: { all: true } });
    for (const signature of ['', 'abc', Buffer.alloc(64).toString('base64'), '@@@@']) {
      expect(verifyRequestSignature(request, signature, publicKey)).toBe(false);
    }
    expect(verifyRequestSignature({ n: Number.NaN }, 'x', publicKey)).toBe(false);
  });

  it('keeps signatures made for another purpose from verifying as requests', () => {
    const { privateKey, publicKey } = keys();
    const request = createRequest({ plugin: 'ps', target: { all: true } });
    const other = signPayload(request, privateKey, 'minke-something-else-v1');
    expect(verifyPayload(request, other, publicKey, 'minke-something-else-v1')).toBe(true);
    expect(verifyRequestSignature(request, other, publicKey)).toBe(false);
  });
});
