import { describe, expect, it } from 'vitest';
import { parseWhere } from './parse-where.js';

describe('parseWhere', () => {
  it('parses comparisons, paths and values', () => {
    expect(parseWhere('server.host.name = web-1')).toEqual({
      path: ['server', 'host', 'name'],
      op: 'eq',
      value: 'web-1',
    });
    expect(parseWhere('cores >= 4')).toEqual({ path: ['cores'], op: 'ge', value: 4 });
    expect(parseWhere('version ^= "10."')).toEqual({
      path: ['version'],
      op: 'startswith',
      value: '10.',
    });
    expect(parseWhere("os ~ 'Debian 12'")).toEqual({
      path: ['os'],
      op: 'contains',
      value: 'Debian 12',
    });
    expect(parseWhere('enabled = true')).toEqual({ path: ['enabled'], op: 'eq', value: true });
    expect(parseWhere('kernel exists')).toEqual({ path: ['kernel'], op: 'notnull' });
    // Fact keys may hold hyphens and list indexes.
    expect(parseWhere('facts.os-release.tags.0 = x')).toEqual({
      path: ['facts', 'os-release', 'tags', '0'],
      op: 'eq',
      value: 'x',
    });
    expect(parseWhere('kernel is null')).toEqual({ path: ['kernel'], op: 'null' });
    expect(parseWhere('kernel is not null')).toEqual({ path: ['kernel'], op: 'notnull' });
    expect(parseWhere('name in (a, "b c", 3)')).toEqual({
      path: ['name'],
      op: 'in',
      values: ['a', 'b c', 3],
    });
  });

  it('gives and precedence over or, and honours not and parentheses', () => {
    expect(parseWhere('a = 1 or b = 2 and c = 3')).toEqual({
      or: [
        { path: ['a'], op: 'eq', value: 1 },
        {
          and: [
            { path: ['b'], op: 'eq', value: 2 },
            { path: ['c'], op: 'eq', value: 3 },
          ],
        },
      ],
    });
    expect(parseWhere('not (a = 1 or b != 2)')).toEqual({
      not: {
        or: [
          { path: ['a'], op: 'eq', value: 1 },
          { path: ['b'], op: 'ne', value: 2 },
        ],
      },
    });
  });

  it('treats code as plain text, never evaluating it', () => {
    expect(parseWhere('name = "$(rm -rf /)"')).toEqual({
      path: ['name'],
      op: 'eq',
      value: '$(rm -rf /)',
    });
    expect(parseWhere('name = "a \\" b"')).toEqual({ path: ['name'], op: 'eq', value: 'a " b' });
  });

  it('reports where the expression is wrong', () => {
    expect(() => parseWhere('name =')).toThrow(
      'invalid --where at character 7 of "name =": expected a value at the end',
    );
    expect(() => parseWhere('name "x"')).toThrow('expected an operator');
    expect(() => parseWhere('name = "x')).toThrow('unclosed quote');
    expect(() => parseWhere('(a = 1')).toThrow('expected ")" at the end');
    expect(() => parseWhere('a = 1 b = 2')).toThrow('unexpected "b"');
    expect(() => parseWhere('= 3')).toThrow('expected a field name');
    expect(() => parseWhere('a is 3')).toThrow('expected "null" after "is"');
  });
});
