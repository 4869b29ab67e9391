import { describe, expect, it } from 'vitest';
import { parseCsv } from '../util/parse-csv.js';
import { parseInventory } from './parse-inventory.js';

describe('parseCsv', () => {
  it('reads quoted cells with commas, quotes and line breaks, and skips blank lines', () => {
    const rows = parseCsv('name,comment\r\nweb-1,"a, ""b"""\n\nweb-2,"two\nlines"\n');
    expect(rows).toEqual([
      { line: 2, cells: { name: 'web-1', comment: 'a, "b"' } },
      { line: 4, cells: { name: 'web-2', comment: 'two\nlines' } },
    ]);
  });

  it('names the line and column of a mistake', () => {
    expect(() => parseCsv('name,hostname\nweb-1\n')).toThrow(
      'CSV line 2: 1 cell(s), the header has 2',
    );
    expect(() => parseCsv('name\n"web-1"x\n')).toThrow(
      'CSV line 2, column 8: text after a closing quote',
    );
    expect(() => parseCsv('name\nweb"1\n')).toThrow(
      'CSV line 2, column 4: a quote inside an unquoted cell',
    );
  });
});

describe('parseInventory', () => {
  it("reads Ansible's --list JSON: groups, parents through children, host variables", () => {
    const text = JSON.stringify({
      all: { children: ['app', 'ungrouped'] },
      app: { children: ['web'] },
      web: { hosts: ['w1'], vars: { x: 1 } },
      db: ['d1'],
      _meta: { hostvars: { w1: { ansible_host: '10.0.0.1', ansible_port: '2222', role: 'web' } } },
    });
    const listing = parseInventory(text, 'json', 'Server');
    expect(listing.hosts).toEqual([
      expect.objectContaining({
        name: 'w1',
        hostname: '10.0.0.1',
        port: 2222,
        groups: ['web', 'app'],
      }),
      expect.objectContaining({ name: 'd1', hostname: null, groups: ['db'] }),
    ]);
    expect(listing.records).toEqual([
      { model: 'Server', host: 'w1', fields: { role: 'web' }, at: '_meta.hostvars.w1' },
    ]);
  });

  it("reads Minke's own shape, with records of a model by host name", () => {
    const listing = parseInventory(
      'hosts:\n  - { name: a, port: 22, groups: [web], role: db }\nrecords:\n  App:\n    - { host: a, name: shop }\n',
      'yaml',
      'Server',
    );
    expect(listing.hosts[0]).toMatchObject({ name: 'a', port: 22, groups: ['web'] });
    expect(listing.records).toEqual([
      { model: 'Server', host: 'a', fields: { role: 'db' }, at: 'hosts[0]' },
      { model: 'App', host: 'a', fields: { name: 'shop' }, at: 'records.App[0]' },
    ]);
  });

  it('says where JSON and YAML are malformed, and what a CSV column is not', () => {
    expect(() => parseInventory('{\n  "hosts": [1,,]\n}', 'json', null)).toThrow(
      /^JSON: line 2, column \d+: /,
    );
    expect(() => parseInventory('hosts:\n  - name: [a\n', 'yaml', null)).toThrow(
      /^YAML: line \d+, column \d+: /,
    );
    expect(() => parseInventory('name,rack\na,r1\n', 'csv', null)).toThrow(
      /unknown column\(s\) rack/,
    );
    expect(() => parseInventory('name,port\na,99999\n', 'csv', null)).toThrow(
      'line 2: port "99999" is not a number from 1 to 65535',
    );
  });
});
