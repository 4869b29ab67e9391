import { describe, expect, it } from 'vitest';
import { checkRootOnlyOptions } from './root-transfers.js';

describe('checkRootOnlyOptions', () => {
  it('refuses owner and group on a plain put, and takes them with sudo', () => {
    expect(() => checkRootOnlyOptions({ owner: 'root', group: 'daemon' })).toThrow(
      'put: owner and group need sudo: true (a plain put writes as the login user)',
    );
    expect(() => checkRootOnlyOptions({ group: 'daemon', sudo: false })).toThrow(
      'put: group needs sudo: true',
    );
    expect(() => checkRootOnlyOptions({ owner: 'root', sudo: true })).not.toThrow();
    expect(() => checkRootOnlyOptions({ mode: 0o600 })).not.toThrow();
  });
});
