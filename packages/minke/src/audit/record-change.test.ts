import { describe, expect, it } from 'vitest';
import { recordChange } from './record-change.js';

describe('recordChange', () => {
  const userChange = recordChange<{ id: number; username: string }>('user', (u) => u.username);

  it('targets the record after the change, and the one before for a delete', () => {
    const before = { id: 3, username: 'alice' };
    const after = { id: 3, username: 'alice2' };
    expect(userChange('user.update', before, after)).toEqual({
      action: 'user.update',
      targetType: 'user',
      targetId: 3,
      targetName: 'alice2',
      before,
      after,
    });
    expect(userChange('user.delete', before)).toMatchObject({ targetId: 3, targetName: 'alice' });
  });
});
