import { describe, expect, it } from 'vitest';
import { changedFields, systemListQuery } from './data-provider.js';

describe('systemListQuery', () => {
  it('passes filter keys through, dates as ISO instants, with the page', () => {
    const query = systemListQuery({
      filter: { session: 'DiskUsage', status: 'error', since: '2024-05-01T10:00', run: 3, x: '' },
      pagination: { page: 2, perPage: 50 },
    });
    expect(query).toMatchObject({
      session: 'DiskUsage',
      status: 'error',
      run: 3,
      limit: 50,
      offset: 50,
    });
    expect(query.since).toBe(new Date('2024-05-01T10:00').toISOString());
    expect('x' in query).toBe(false);
  });
});

describe('changedFields', () => {
  it('sends only what changed, never the id or computed fields', () => {
    expect(
      changedFields(
        { id: 1, name: 'web-1', port: 22, groups: ['web'], _label: 'web-1', created_at: 'x' },
        { id: 1, name: 'web-1', port: 2222, groups: [], _label: 'web-1', created_at: 'x' },
      ),
    ).toEqual({ port: 22, groups: ['web'] });
  });
});
