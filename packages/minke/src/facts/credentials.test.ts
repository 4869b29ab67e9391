import { hash } from '@node-rs/argon2';
import { describe, expect, it } from 'vitest';
import { generateAgentPassword, hashAgentPassword, verifyAgentPassword } from './credentials.js';

describe('agent credentials', () => {
  it('verifies the right password against the fast hash and refuses others', async () => {
    const password = generateAgentPassword();
    const stored = hashAgentPassword(password);
    expect(stored).not.toContain(password);
    expect(await verifyAgentPassword(stored, password)).toEqual({ ok: true });
    expect(await verifyAgentPassword(stored, generateAgentPassword())).toEqual({ ok: false });
    expect(await verifyAgentPassword(stored, password.slice(0, -1))).toEqual({ ok: false });
    expect(await verifyAgentPassword(stored, '')).toEqual({ ok: false });
  });

  it('refuses everything against a damaged stored hash', async () => {
    const password = generateAgentPassword();
    const stored = hashAgentPassword(password);
    expect(await verifyAgentPassword(stored.slice(0, -4), password)).toEqual({ ok: false });
    expect(await verifyAgentPassword('not a hash', password)).toEqual({ ok: false });
    expect(await verifyAgentPassword('', password)).toEqual({ ok: false });
  });

  it('still verifies an old argon2id hash and offers the fast form to store instead', async () => {
    const password = generateAgentPassword();
    const legacy = await hash(password, { memoryCost: 4096, timeCost: 1, parallelism: 1 });
    const check = await verifyAgentPassword(legacy, password);
    expect(check.ok).toBe(true);
    expect(check.upgrade).toBe(hashAgentPassword(password));
    expect(await verifyAgentPassword(check.upgrade as string, password)).toEqual({ ok: true });
    expect(await verifyAgentPassword(legacy, generateAgentPassword())).toEqual({ ok: false });
  });
});
