import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { buildModelRegistry } from '../../model/model-registry.js';
import { CommandFormSession, SingleCommandSession } from '../../session/builtin-sessions.js';
import { Session } from '../../session/session.js';
import { buildSessionRegistry } from '../../session/session-registry.js';
import { formFields, sessionListings } from './sessions.js';

class Reboot extends SingleCommandSession {
  static override workOn = ['Host'];
  static override group = 'Power';
  static override command = 'reboot';
  static override permissions = ['reboot_hosts'];
}

class Tail extends Session<typeof Tail.form> {
  static override workOn = ['Host'];
  static override group = 'Logs';
  static override form = z.object({ lines: z.number().int(), file: z.string() });
  static override confirm = true;
  override process(): Promise<void> {
    return Promise.resolve();
  }
}

class Anything extends CommandFormSession {
  static override workOn = ['Host'];
  static override autoPermission = false;
}

class Apt extends SingleCommandSession {
  static override workOn = ['Host'];
  static override group = 'Logs';
  static override command = 'tail /var/log/apt/history.log';
}

describe('sessionListings', () => {
  const models = buildModelRegistry([]);
  const registry = buildSessionRegistry([Reboot, Tail, Anything, Apt], models);

  it('sorts by group, then name, with ungrouped sessions last', () => {
    const listings = sessionListings(registry, models);
    expect(listings.map((s) => [s.group, s.name])).toEqual([
      ['Logs', 'Apt'],
      ['Logs', 'Tail'],
      ['Power', 'Reboot'],
      [null, 'Anything'],
    ]);
    expect(listings.find((s) => s.name === 'Reboot')).toMatchObject({
      verboseName: 'Reboot',
      models: ['Host'],
      permissions: ['reboot_hosts', 'run_reboot'],
      runPermission: 'run_reboot',
      formFields: null,
    });
    expect(listings.find((s) => s.name === 'Tail')).toMatchObject({
      confirm: true,
      formFields: ['lines', 'file'],
    });
    expect(listings.find((s) => s.name === 'Anything')).toMatchObject({
      permissions: [],
      runPermission: null,
      formFields: ['cmd'],
    });
  });

  it('filters by model, in any case, and names the known ones when it is unknown', () => {
    expect(sessionListings(registry, models, 'host')).toHaveLength(4);
    expect(() => sessionListings(registry, models, 'Server')).toThrow(
      'unknown model "Server" (known: Host)',
    );
  });
});

describe('formFields', () => {
  it('names the keys of an object schema', () => {
    expect(formFields(undefined)).toBeNull();
    expect(formFields(z.object({ a: z.string(), b: z.number() }))).toEqual(['a', 'b']);
    expect(formFields(z.string())).toEqual([]);
  });
});
