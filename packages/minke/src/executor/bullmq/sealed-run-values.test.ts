import { mkdtempSync, rmSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { SessionInfo } from '../../session/session-registry.js';
import type { RunPlan } from '../executor.js';
import { openRunValues, sealRunValues, splitRunValues } from './sealed-run-values.js';

const tmp = mkdtempSync(join(tmpdir(), 'minke-sealed-run-values-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const source = (name: string) => ({ file: join(tmp, name, '.minke', 'secret.key') });

const form = z.object({
  path: z.string(),
  apiKey: z.string().meta({ secret: true }),
  dbPassword: z.string(),
});
const plan = (data: Record<string, unknown>, connection?: Record<string, unknown>): RunPlan => ({
  runId: 7,
  session: { name: 'S', cls: { form } } as unknown as SessionInfo,
  model: 'Host',
  data,
  batches: [],
  connection,
});

describe('splitRunValues', () => {
  it('keeps in clear only the form values neither marked secret nor named like one', () => {
    const out = splitRunValues(plan({ path: '/', apiKey: 'k', dbPassword: 'p' }, { port: 2 }));
    expect(out).toEqual({
      data: { path: '/' },
      values: { connection: { port: 2 }, data: { apiKey: 'k', dbPassword: 'p' } },
    });
  });

  it('has nothing to seal for a run without secrets', () => {
    expect(splitRunValues(plan({ path: '/' }))).toEqual({ data: { path: '/' }, values: undefined });
  });
});

describe('sealRunValues / openRunValues', () => {
  it('creates the key (mode 600) on first use and opens for the same run only', async () => {
    const keys = source('a');
    const values = { connection: { sudo: { password: 's3cret' } } };
    const sealed = await sealRunValues(keys, 7, values);
    expect(sealed.ciphertext).not.toContain('s3cret');
    expect((await stat(keys.file)).mode & 0o777).toBe(0o600);
    expect(await openRunValues(keys, 7, sealed)).toEqual(values);
    await expect(openRunValues(keys, 8, sealed)).rejects.toThrow(
      `the run-time values of run 8 cannot be decrypted with secret key ${sealed.keyId}: they were altered or belong to another run`,
    );
  });

  it('names the missing key, never the value, on a worker without it', async () => {
    const sealed = await sealRunValues(source('b'), 7, { data: { apiKey: 'k-123' } });
    const opening = openRunValues(source('c'), 7, sealed);
    await expect(opening).rejects.toThrow(
      `the run-time values of run 7 were encrypted with secret key ${sealed.keyId}, which this worker does not have`,
    );
    await expect(opening).rejects.not.toThrow('k-123');
  });
});
