import { describe, expect, it } from 'vitest';
import { naturalCompare, naturalSortKey } from './natural-sort.js';

describe('natural sort', () => {
  it('counts digit runs as numbers', () => {
    const names = [
      'node-10',
      'node-2',
      'node-1',
      'Node-3',
      'web10.example.org',
      'web9.example.org',
    ];
    expect([...names].sort(naturalCompare)).toEqual([
      'Node-3',
      'node-1',
      'node-2',
      'node-10',
      'web9.example.org',
      'web10.example.org',
    ]);
  });

  it('keeps leading zeros as a tie-break and very long numbers in order', () => {
    expect(['node-2', 'node-02', 'node-002'].sort(naturalCompare)).toEqual([
      'node-002',
      'node-02',
      'node-2',
    ]);
    expect(naturalSortKey('x123456789012')).toBe('x123456789012');
    expect(['x123456789012', 'x99'].sort(naturalCompare)).toEqual(['x99', 'x123456789012']);
  });
});
