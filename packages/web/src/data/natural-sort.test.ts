import { describe, expect, it } from 'vitest';
import { naturalCompare, sortedBy } from './natural-sort.js';

describe('natural sort in the browser', () => {
  it('puts node-2 before node-10, any case', () => {
    expect(['node-10', 'Node-3', 'node-2', 'node-1'].sort(naturalCompare)).toEqual([
      'node-1',
      'node-2',
      'Node-3',
      'node-10',
    ]);
  });

  it('sorts a whole list by the field asked, either way, empty values last', () => {
    const groups = [{ name: 'web-10' }, { name: 'web-9' }, { name: null }, { name: 'db' }];
    expect(sortedBy(groups, { field: 'name', order: 'ASC' }).map((g) => g.name)).toEqual([
      'db',
      'web-9',
      'web-10',
      null,
    ]);
    expect(sortedBy(groups, { field: 'name', order: 'DESC' }).map((g) => g.name)).toEqual([
      null,
      'web-10',
      'web-9',
      'db',
    ]);
    expect(sortedBy(groups, undefined)).toEqual(groups);
  });
});
