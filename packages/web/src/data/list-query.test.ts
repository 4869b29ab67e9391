import { describe, expect, it } from 'vitest';
import type { FieldMeta } from '@minke/contract';
import { idsWhere, recordListQuery } from './list-query.js';
import { and, condition, quote } from './where.js';

const field = (name: string, kind: FieldMeta['kind']): FieldMeta => ({
  name,
  kind,
  optional: true,
  unique: false,
  default: null,
  label: null,
  help: null,
});
const fields = [
  field('name', 'text'),
  field('cores', 'int'),
  field('role', 'enum'),
  field('host', 'ref'),
  field('enabled', 'bool'),
  field('seen', 'datetime'),
  field('groups', 'groups'),
];

describe('quote and condition', () => {
  it('quotes strings with escapes, leaves numbers, booleans and null bare', () => {
    expect(quote('a "b" \\ c')).toBe('"a \\"b\\" \\\\ c"');
    expect(quote(4)).toBe('4');
    expect(quote(false)).toBe('false');
    expect(quote(null)).toBe('null');
  });

  it('writes a condition per field kind', () => {
    expect(condition('name', 'web', fields)).toBe('name ~ "web"');
    expect(condition('cores', '4', fields)).toBe('cores = 4');
    expect(condition('cores_gte', 2, fields)).toBe('cores >= 2');
    expect(condition('role', ['web', 'db'], fields)).toBe('role in ("web", "db")');
    expect(condition('host', 3, fields)).toBe('host = 3');
    expect(condition('enabled', 'false', fields)).toBe('enabled = false');
    expect(condition('seen_lte', '2024-01-01T00:00:00Z', fields)).toBe(
      'seen <= "2024-01-01T00:00:00Z"',
    );
    expect(condition('groups', 'web', fields)).toBe('groups.name = "web"');
    expect(condition('name', null, fields)).toBe('name is null');
  });

  it('drops empty values and anything that is not a field path', () => {
    expect(condition('name', '', fields)).toBeUndefined();
    expect(condition('role', [], fields)).toBeUndefined();
    expect(condition('name = 1 or 1', 'x', fields)).toBeUndefined();
  });

  it('joins with and, in parentheses', () => {
    expect(and('a = 1', undefined, 'b = 2 or c = 3')).toBe('(a = 1) and (b = 2 or c = 3)');
    expect(and(undefined, '')).toBeUndefined();
  });
});

describe('recordListQuery', () => {
  it('maps search, last status, fields, sort and page', () => {
    expect(
      recordListQuery(
        {
          pagination: { page: 3, perPage: 25 },
          sort: { field: 'name', order: 'DESC' },
          filter: { q: ' shop ', lastStatus: ['error', 'warning'], role: 'web', cores_gte: 4 },
        },
        fields,
      ),
    ).toEqual({
      search: 'shop',
      lastStatus: 'error,warning',
      where: '(role = "web") and (cores >= 4)',
      order: '-name',
      limit: 25,
      offset: 50,
    });
  });

  it('keeps a hand-written where, and does not sort by columns that are not fields', () => {
    expect(
      recordListQuery(
        { sort: { field: '_lastSession', order: 'ASC' }, filter: { where: 'os ~ debian' } },
        fields,
      ),
    ).toEqual({ where: 'os ~ debian' });
    expect(recordListQuery({ sort: { field: 'id', order: 'ASC' } }, fields).order).toBe('id');
  });

  it('asks for many by id', () => {
    expect(idsWhere([1, '2', 3])).toBe('id in (1, 2, 3)');
  });
});
