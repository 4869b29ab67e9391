import { describe, expect, it } from 'vitest';
import {
  ConflictError,
  CsrfRejected,
  deserializeError,
  httpStatusOf,
  InputError,
  NotAuthenticated,
  NotFoundError,
  PermissionDenied,
  RateLimited,
  SetupError,
  UnavailableError,
  isMinkeError,
  isSessionError,
  SessionError,
  sessionErrorMessages,
  type SerializedError,
} from './errors.js';

/** What a second copy of this module makes: same shape and brand, another class. */
function fromAnotherCopy(code: string, message: string, extra: object = {}): Error {
  return Object.assign(new Error(message), { code, [Symbol.for('minke.error')]: true }, extra);
}

describe('Minke errors across copies and processes', () => {
  it('recognises an error of another copy of Minke by its brand, not by its class', () => {
    const copy = fromAnotherCopy('session', 'a\nb', { messages: ['a', 'b'] });
    expect(copy instanceof SessionError).toBe(false);
    expect(isMinkeError(copy)).toBe(true);
    expect(isSessionError(copy)).toBe(true);
    expect(isSessionError(copy) && sessionErrorMessages(copy)).toEqual(['a', 'b']);
    expect(isMinkeError(fromAnotherCopy('input', 'bad'))).toBe(true);
  });

  it('does not take look-alikes for Minke errors', () => {
    expect(isMinkeError(Object.assign(new Error('x'), { code: 'session' }))).toBe(false);
    expect(isMinkeError(fromAnotherCopy('ENOENT', 'x'))).toBe(false);
    expect(isMinkeError({ [Symbol.for('minke.error')]: true, code: 'input' })).toBe(false);
    expect(isMinkeError(null)).toBe(false);
  });

  it('keeps a session error whole through JSON (a message may hold several lines)', () => {
    const error = new SessionError('first\nline two', 'second');
    const back = deserializeError(JSON.parse(JSON.stringify(error.toJSON())) as SerializedError);
    expect(back).toBeInstanceOf(SessionError);
    expect(sessionErrorMessages(back as SessionError)).toEqual(['first\nline two', 'second']);
    const input = deserializeError(new InputError('x', { fields: { a: 'b' } }).toJSON());
    expect(input).toMatchObject({ code: 'input', message: 'x', fields: { a: 'b' } });
  });

  it('falls back to the message of a session error without its list', () => {
    const copy = fromAnotherCopy('session', 'only this');
    expect(isSessionError(copy) && sessionErrorMessages(copy)).toEqual(['only this']);
  });

  it('rebuilds every class from its code, with its name and HTTP status', () => {
    const errors = [
      [new InputError('m', { fields: { f: 'bad' } }), 'InputError', 400],
      [new NotFoundError('m'), 'NotFoundError', 404],
      [new PermissionDenied('m'), 'PermissionDenied', 403],
      [new SetupError('m'), 'SetupError', 500],
      [new SessionError('m'), 'SessionError', 422],
      [new ConflictError('m'), 'ConflictError', 409],
      [new UnavailableError('m'), 'UnavailableError', 503],
      [new NotAuthenticated('m'), 'NotAuthenticated', 401],
      [new CsrfRejected('m'), 'CsrfRejected', 403],
      [new RateLimited('m', 30), 'RateLimited', 429],
    ] as const;
    for (const [error, name, status] of errors) {
      const back = deserializeError(JSON.parse(JSON.stringify(error)) as SerializedError);
      expect([error.name, httpStatusOf(error)]).toEqual([name, status]);
      expect([back.constructor, back.name, back.code, back.message, back.fields]).toEqual([
        error.constructor,
        name,
        error.code,
        'm',
        error.fields,
      ]);
      expect(isMinkeError(back)).toBe(true);
    }
  });
});
