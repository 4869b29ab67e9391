import { describe, expect, it } from 'vitest';
import { InputError, SetupError, UnavailableError } from '../errors.js';
import { replyFor } from './error-handler.js';

describe('replyFor', () => {
  it('tells the caller which service is unavailable', () => {
    const reply = replyFor(new UnavailableError('agent services are not running on this server'));
    expect(reply.status).toBe(503);
    expect(reply.body.error).toMatchObject({
      code: 'unavailable',
      message: 'agent services are not running on this server',
    });
  });

  it('keeps setup errors and unknown failures out of replies', () => {
    expect(replyFor(new SetupError('models.ts: secret path /etc/x')).body.error.message).toBe(
      'internal error',
    );
    const crash = replyFor(new TypeError('x is undefined'));
    expect(crash).toEqual({
      status: 500,
      body: { error: { code: 'internal', message: 'internal error' } },
    });
  });

  it('names the fields of a validation error', () => {
    const reply = replyFor(
      new InputError('port must be a whole number', { fields: { port: 'not a number' } }),
    );
    expect(reply.status).toBe(400);
    expect(reply.body.error).toMatchObject({
      message: 'port must be a whole number',
      fields: { port: 'not a number' },
    });
  });
});
