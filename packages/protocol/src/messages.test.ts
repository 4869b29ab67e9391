import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  AckSchema,
  PresenceSchema,
  RequestSchema,
  ResultSchema,
  SignedRequestSchema,
  createAck,
  createRequest,
  decodeAck,
  decodeJson,
  decodePresence,
  decodeResult,
  encodeMessage,
  validate,
  type Presence,
  type Result,
} from './messages.js';

const request = () => createRequest({ plugin: 'facter', target: { all: true } });

const result = (overrides: Partial<Result> = {}): Result => ({
  v: 1,
  id: randomUUID(),
  requestId: randomUUID(),
  node: 'web1',
  plugin: 'facter',
  ok: true,
  format: 'json',
  value: { os: 'linux', cpus: [1, 2] },
  startedAt: '2025-01-01T00:00:00.000Z',
  finishedAt: '2025-01-01T00:00:01.000Z',
  durationMs: 1000,
  exitCode: 0,
  ...overrides,
});

const presence = (): Presence => ({
  v: 1,
  node: 'web1',
  online: true,
  agentVersion: '0.1.0',
  plugins: [{ name: 'ps', description: 'processes', format: 'output', interval: 60 }],
  rejected: [{ file: 'broken.cfg', reason: '[broken] unknown result_format "broken"' }],
  at: new Date().toISOString(),
});

describe('Request', () => {
  it('accepts a request made by createRequest', () => {
    const made = request();
    expect(validate(RequestSchema, made)).toEqual({ ok: true, value: made });
    expect(Date.parse(made.expiresAt) - Date.parse(made.issuedAt)).toBe(60 * 60 * 1000);
  });

  it('accepts a node target', () => {
    const made = createRequest({ plugin: 'ps', target: { node: 'web1' }, ttlMs: 1000 });
    expect(validate(RequestSchema, made).ok).toBe(true);
  });

  it.each([
    ['a wrong version', { v: 2 }, /v: v must be 1/],
    ['an id that is not a uuid', { id: '42' }, /id: Invalid UUID/],
    ['a plugin name with a slash', { plugin: 'a/b' }, /plugin: plugin name/],
    ['an empty target', { target: {} }, /target: must be/],
    ['a target with both forms', { target: { all: true, node: 'x' } }, /target: must be/],
    ['all: false', { target: { all: false } }, /target: must be/],
    ['a node name with a wildcard', { target: { node: '#' } }, /target.node: node name/],
    ['a date that is not ISO', { issuedAt: 'yesterday' }, /issuedAt: must be an ISO 8601/],
    [
      'an expiry before the issue',
      { expiresAt: '2000-01-01T00:00:00Z' },
      /expiresAt: must be later/,
    ],
    ['args that are not strings', { args: { a: 1 } }, /args.a/],
  ])('refuses %s with a clear reason', (_name, change, reason) => {
    const outcome = validate(RequestSchema, { ...request(), ...change });
    expect(outcome.ok).toBe(false);
    if (!outcome.ok) expect(outcome.reason).toMatch(reason);
  });

  it('refuses a missing field', () => {
    const { plugin: _plugin, ...rest } = request();
    const outcome = validate(RequestSchema, rest);
    expect(outcome).toMatchObject({ ok: false, reason: expect.stringMatching(/^plugin: /) });
  });

  it('wraps a signature in SignedRequest, which must be 64 bytes of base64', () => {
    const good = { request: request(), signature: Buffer.alloc(64, 7).toString('base64') };
    expect(validate(SignedRequestSchema, good).ok).toBe(true);
    const short = { ...good, signature: Buffer.alloc(32).toString('base64') };
    expect(validate(SignedRequestSchema, short)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/signature: must be a base64 ed25519 signature/),
    });
  });
});

describe('Result', () => {
  it('accepts ok and failed results', () => {
    expect(validate(ResultSchema, result()).ok).toBe(true);
    const failed = result({ ok: false, value: undefined, error: 'not authorized on this node' });
    expect(validate(ResultSchema, failed).ok).toBe(true);
    const interval = result({ requestId: undefined, format: 'output', value: ['a', 'b'] });
    expect(validate(ResultSchema, interval).ok).toBe(true);
    expect(validate(ResultSchema, result({ exitCode: null, signal: 'SIGKILL' })).ok).toBe(true);
  });

  it('refuses an ok result with an error, and a failed one without', () => {
    expect(validate(ResultSchema, result({ error: 'x' })).ok).toBe(false);
    expect(validate(ResultSchema, result({ ok: false }))).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/^error: /),
    });
  });

  it('refuses an unknown format, a negative duration and values JSON cannot carry', () => {
    expect(validate(ResultSchema, { ...result(), format: 'xml' })).toMatchObject({
      ok: false,
      reason: expect.stringMatching(
        /format: must be one of json, yaml, output, string, raw, pylist, pydict/,
      ),
    });
    expect(validate(ResultSchema, result({ format: 'pydict', value: { a: [1] } })).ok).toBe(true);
    expect(validate(ResultSchema, result({ durationMs: -1 })).ok).toBe(false);
    expect(validate(ResultSchema, result({ value: { n: Number.NaN } })).ok).toBe(false);
  });

  it('round-trips through encode and decode', () => {
    const original = result();
    expect(decodeResult(encodeMessage(original))).toEqual({ ok: true, value: original });
    expect(decodeResult(Buffer.from(encodeMessage(original)))).toEqual({
      ok: true,
      value: original,
    });
  });
});

describe('Ack', () => {
  it('accepts result ids, request ids or both, filling the missing list', () => {
    const id = randomUUID();
    expect(validate(AckSchema, { v: 1, resultIds: [id] })).toEqual({
      ok: true,
      value: { v: 1, resultIds: [id], requestIds: [] },
    });
    expect(decodeAck(JSON.stringify(createAck({ requestIds: [id] }))).ok).toBe(true);
  });

  it('carries refused results, whose ids an older agent forgets as acknowledged', () => {
    const [stored, refused] = [randomUUID(), randomUUID()];
    const ack = createAck({
      resultIds: [stored],
      refused: [{ resultId: refused, reason: 'result is 2000000 bytes, more than 1048576' }],
    });
    expect(ack.resultIds).toEqual([stored, refused]);
    const decoded = decodeAck(JSON.stringify(ack));
    expect(decoded).toMatchObject({ ok: true, value: { refused: [{ resultId: refused }] } });
    // The acknowledgement an agent without `refused` reads: the same ids, the field ignored.
    const { refused: _refused, ...older } = ack;
    expect(decodeAck(JSON.stringify(older))).toMatchObject({ ok: true });
    expect(
      validate(AckSchema, { ...ack, refused: [{ resultId: 'x', reason: 'r' }] }),
    ).toMatchObject({ ok: false, reason: expect.stringMatching(/refused.0.resultId/) });
  });

  it('refuses an empty ack and ids that are not uuids', () => {
    expect(validate(AckSchema, { v: 1 })).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/at least one/),
    });
    expect(validate(AckSchema, { v: 1, resultIds: ['x'] })).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/resultIds.0: Invalid UUID/),
    });
  });
});

describe('Presence', () => {
  it('accepts a presence with plugins and rejected files', () => {
    const original = presence();
    expect(decodePresence(JSON.stringify(original))).toEqual({ ok: true, value: original });
  });

  it("keeps a plugin's command alias, and still reads a presence without one (older agents)", () => {
    const withAlias = {
      ...presence(),
      plugins: [{ name: 'rpm', description: '', format: 'output', commandAlias: 'get_rpms' }],
    };
    expect(decodePresence(JSON.stringify(withAlias))).toEqual({ ok: true, value: withAlias });
    expect(presence().plugins[0]).not.toHaveProperty('commandAlias');
    expect(validate(PresenceSchema, presence()).ok).toBe(true);
  });

  it('refuses a presence without its node or with a bad plugin entry', () => {
    const { node: _node, ...rest } = presence();
    expect(validate(PresenceSchema, rest)).toMatchObject({ ok: false });
    const bad = { ...presence(), plugins: [{ name: 'x', description: '', format: 'xml' }] };
    expect(validate(PresenceSchema, bad)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/^plugins.0.format: /),
    });
  });
});

describe('decoding', () => {
  it('reports JSON errors and oversized bodies instead of throwing', () => {
    expect(decodeJson('{nope')).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/^not JSON/),
    });
    expect(decodeJson('"abc"', 3)).toMatchObject({
      ok: false,
      reason: 'message is 5 bytes, more than 3',
    });
    expect(decodeResult('[]')).toMatchObject({ ok: false });
    expect(decodeAck('')).toMatchObject({ ok: false });
  });
});
