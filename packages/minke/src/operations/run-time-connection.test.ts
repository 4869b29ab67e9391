import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { InputError } from '../errors.js';
import type { Executor } from '../executor/executor.js';
import type { SessionInfo } from '../session/session-registry.js';
import { runTimeConnection } from './run-time-connection.js';
import { localOperator } from './start-run.js';

const form = z.object({
  path: z.string(),
  pw: z.string().meta({ connection: 'sudo.password', secret: true }),
  who: z.string().optional().meta({ connection: 'sudo.user' }),
});
const session = { name: 'S', cls: { form } } as unknown as SessionInfo;
const inProcess = { takesRunTimeConnection: true } as unknown as Executor;
const queued = {} as unknown as Executor;

describe('runTimeConnection', () => {
  it('moves connection fields out of the data into the layer; the request wins', () => {
    const out = runTimeConnection(
      session,
      { path: '/', pw: 's3cret', who: 'app' },
      { sudo: { user: 'root' } },
      localOperator,
      inProcess,
    );
    expect(out).toEqual({
      data: { path: '/' },
      connection: { sudo: { password: 's3cret', user: 'root' } },
    });
  });

  it('leaves a run without connection values as it was, on any executor', () => {
    expect(runTimeConnection(session, { path: '/' }, undefined, localOperator, queued)).toEqual({
      data: { path: '/' },
      connection: undefined,
    });
  });

  it('refuses run-time values on an executor that would send them to workers', () => {
    expect(() =>
      runTimeConnection(session, { path: '/', pw: 'x' }, undefined, localOperator, queued),
    ).toThrow(InputError);
    expect(() =>
      runTimeConnection(session, { path: '/', pw: 'x' }, undefined, localOperator, queued),
    ).toThrow('this executor cannot take run-time connection values');
  });
});
