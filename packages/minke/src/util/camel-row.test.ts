import { describe, expect, expectTypeOf, it } from 'vitest';
import { camelRow } from './camel-row.js';

describe('camelRow', () => {
  it('renames snake_case columns to camelCase and keeps every value as it is', () => {
    const at = new Date('2030-01-01T00:00:00Z');
    const record = camelRow({ id: 1, user_id: 7, first_seen_at: at, trusted_by: null, name: 'x' });
    expect(record).toEqual({ id: 1, userId: 7, firstSeenAt: at, trustedBy: null, name: 'x' });
    expectTypeOf(record).toEqualTypeOf<{
      id: number;
      userId: number;
      firstSeenAt: Date;
      trustedBy: null;
      name: string;
    }>();
  });
});
