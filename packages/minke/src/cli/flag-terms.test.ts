import { describe, expect, it } from 'vitest';
import { inFlagTerms } from './flag-terms.js';

describe('messages in flag terms', () => {
  it('name the flags a user typed where the API names its fields', () => {
    expect(inFlagTerms('select objects with exactly one of: ids, where, all')).toBe(
      'select objects with exactly one of: --id, --where, --all',
    );
    expect(inFlagTerms('choose the nodes with exactly one of: nodes, all, where')).toBe(
      'choose the nodes with exactly one of: --node, --all, --where',
    );
    expect(inFlagTerms('host web-1 does not exist')).toBe('host web-1 does not exist');
  });
});
