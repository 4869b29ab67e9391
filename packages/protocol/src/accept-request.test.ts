import { describe, expect, it } from 'vitest';
import { acceptRequest, type AcceptRequestOptions } from './accept-request.js';
import { createRequest, type Request } from './messages.js';
import { ReplayGuard } from './replay-guard.js';
import { generateSigningKeyPair, parsePrivateKey, parsePublicKey, signRequest } from './signing.js';

function key(text: string, kind: 'public' | 'private') {
  const parsed = kind === 'public' ? parsePublicKey(text) : parsePrivateKey(text);
  if (!parsed.ok) throw new Error(parsed.reason);
  return parsed.value;
}

const server = generateSigningKeyPair();
const serverPrivate = key(server.privateKeyPem, 'private');
const options = (overrides: Partial<AcceptRequestOptions> = {}): AcceptRequestOptions => ({
  node: 'web1',
  publicKeys: [key(server.publicKeyBase64, 'public')],
  guard: new ReplayGuard(),
  ...overrides,
});
const wire = (request: Request, privateKey = serverPrivate) =>
  JSON.stringify(signRequest(request, privateKey));

describe('acceptRequest', () => {
  it('accepts a signed broadcast and a signed request for this node', () => {
    const broadcast = createRequest({ plugin: 'ps', target: { all: true } });
    expect(acceptRequest(wire(broadcast), options())).toEqual({ ok: true, request: broadcast });
    const mine = createRequest({ plugin: 'ps', target: { node: 'web1' } });
    expect(acceptRequest(Buffer.from(wire(mine)), options())).toMatchObject({ ok: true });
  });

  it('drops an unsigned request', () => {
    const request = createRequest({ plugin: 'ps', target: { all: true } });
    expect(acceptRequest(JSON.stringify({ request }), options())).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/^not a signed request/),
    });
    expect(acceptRequest(JSON.stringify(request), options())).toMatchObject({ ok: false });
  });

  it('drops a forged request and names its id', () => {
    const other = generateSigningKeyPair();
    const request = createRequest({ plugin: 'ps', target: { all: true } });
    expect(acceptRequest(wire(request, key(other.privateKeyPem, 'private')), options())).toEqual({
      ok: false,
      reason: 'bad signature: not signed by the server key this agent was enrolled with',
      requestId: request.id,
    });
  });

  it('drops a request tampered with after signing', () => {
    const signed = signRequest(
      createRequest({ plugin: 'ps', target: { all: true } }),
      serverPrivate,
    );
    const tampered = { ...signed, request: { ...signed.request, plugin: 'rm-everything' } };
    expect(acceptRequest(JSON.stringify(tampered), options())).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/^bad signature/),
    });
  });

  it('drops an expired request, one from the future and one that lives too long', () => {
    const past = new Date(Date.now() - 10 * 60_000);
    expect(
      acceptRequest(
        wire(createRequest({ plugin: 'ps', target: { all: true }, now: past, ttlMs: 1000 })),
        options(),
      ),
    ).toMatchObject({ ok: false, reason: expect.stringMatching(/^expired at/) });
    const future = new Date(Date.now() + 60 * 60_000);
    expect(
      acceptRequest(
        wire(createRequest({ plugin: 'ps', target: { all: true }, now: future })),
        options(),
      ),
    ).toMatchObject({ ok: false, reason: expect.stringMatching(/issued in the future/) });
    const long = createRequest({ plugin: 'ps', target: { all: true }, ttlMs: 30 * 24 * 3600_000 });
    expect(acceptRequest(wire(long), options())).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/longer than/),
    });
  });

  it('drops a replayed request', () => {
    const shared = options();
    const payload = wire(createRequest({ plugin: 'ps', target: { all: true } }));
    expect(acceptRequest(payload, shared).ok).toBe(true);
    expect(acceptRequest(payload, shared)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/^replayed/),
    });
  });

  it('drops a request signed for another node', () => {
    const payload = wire(createRequest({ plugin: 'ps', target: { node: 'db1' } }));
    expect(acceptRequest(payload, options())).toMatchObject({
      ok: false,
      reason: 'addressed to node db1, not web1',
    });
  });

  it('drops malformed messages with a reason and never throws', () => {
    const signedBadRequest = wire({ v: 1, id: 'x' } as unknown as Request);
    for (const [payload, reason] of [
      ['', /^not JSON/],
      ['not json', /^not JSON/],
      ['null', /^not a signed request/],
      ['{"request": 5, "signature": "x"}', /request must be an object/],
      ['{"request": {}, "signature": 5}', /signature must be a string/],
      [signedBadRequest, /^invalid request: id: Invalid UUID/],
      ['x'.repeat(70_000), /more than/],
    ] as const) {
      expect(acceptRequest(payload, options())).toMatchObject({
        ok: false,
        reason: expect.stringMatching(reason),
      });
    }
  });
});
