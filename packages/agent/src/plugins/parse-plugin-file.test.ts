import { describe, expect, it } from 'vitest';
import { parsePluginFile } from './parse-plugin-file.js';

describe('parsePluginFile', () => {
  it('reads a Vogeler plugin file', () => {
    const text = [
      '[facter]',
      'name = facter',
      'description = Uses facter to return facts',
      'command = facter -y',
      'result_format = yaml',
      'command_alias = get_facts',
      '',
    ].join('\n');
    expect(parsePluginFile(text, 'facter.cfg')).toEqual({
      plugins: [
        {
          name: 'facter',
          description: 'Uses facter to return facts',
          command: 'facter -y',
          argv: ['facter', '-y'],
          format: 'yaml',
          commandAlias: 'get_facts',
          timeoutMs: 60_000,
          maxOutputBytes: 1024 * 1024,
          source: 'facter.cfg [facter]',
        },
      ],
      rejected: [],
    });
  });

  it('keys the plugin by its name field, not its section, and reads the Minke additions', () => {
    const text =
      '[rpms]\nname = rpm\ncommand = rpm -qa\nresult_format = output\ntimeout = 90\ninterval = 1h\nmax_output = 64k\n';
    const [plugin] = parsePluginFile(text, 'rpms.cfg').plugins;
    expect(plugin).toMatchObject({
      name: 'rpm',
      timeoutMs: 90_000,
      intervalMs: 3_600_000,
      maxOutputBytes: 65_536,
    });
  });

  it('reads several sections, keeping the good ones and rejecting the bad ones with reasons', () => {
    const text = [
      '[ps]',
      'name = ps',
      'command = ps -ef',
      'result_format = output',
      '[noname]',
      'command = uptime',
      '[nocommand]',
      'name = nocommand',
      '[broken]',
      'name = broken',
      'command = broken',
      'result_format = broken',
      '[ohai]',
      'name = ohai',
      'command = ohai',
      'result_format = json',
    ].join('\n');
    const set = parsePluginFile(text, 'many.cfg');
    expect(set.plugins.map((plugin) => plugin.name)).toEqual(['ps', 'ohai']);
    expect(set.rejected).toEqual([
      { file: 'many.cfg', reason: '[noname] missing name' },
      { file: 'many.cfg', reason: '[nocommand] missing command' },
      {
        file: 'many.cfg',
        reason:
          '[broken] unknown result_format "broken" (known: json, yaml, output, string, raw, pylist, pydict)',
      },
    ]);
  });

  it('rejects a file that does not parse, naming the line', () => {
    expect(parsePluginFile('[ok]\nname = x\nthis is not ini\n', 'bad.cfg')).toEqual({
      plugins: [],
      rejected: [
        {
          file: 'bad.cfg',
          reason:
            'does not parse: line 3: expected "[section]" or "key = value", got "this is not ini"',
        },
      ],
    });
    expect(parsePluginFile('name = x\n', 'nosection.cfg').rejected[0]?.reason).toBe(
      'does not parse: line 1: "name" comes before any [section] header',
    );
    expect(parsePluginFile('[open\nname = x\n', 'open.cfg').rejected[0]?.reason).toMatch(
      /^does not parse: line 1/,
    );
    expect(parsePluginFile('; only a comment\n', 'empty.cfg').rejected).toEqual([
      { file: 'empty.cfg', reason: 'defines no [section]' },
    ]);
  });

  it('rejects bad values with the key in the reason', () => {
    const reason = (body: string) =>
      parsePluginFile(`[p]\nname = p\ncommand = true\n${body}\n`, 'p.cfg').rejected[0]?.reason;
    expect(reason('timeout = soon')).toMatch(/^\[p\] timeout "soon" is not a duration/);
    expect(reason('interval = 0.5')).toBe('[p] interval must be at least 1 second');
    expect(reason('max_output = lots')).toMatch(/^\[p\] max_output "lots" is not a size/);
    expect(reason('timout = 5')).toMatch(/^\[p\] unknown key "timout"/);
    expect(reason('command = ps -ef | grep x')).toMatch(/shell operator "\|"/);
    expect(reason(`command = echo "open`)).toBe('[p] command: unbalanced double quote');
    expect(
      parsePluginFile('[p]\nname = a b\ncommand = true\n', 'p.cfg').rejected[0]?.reason,
    ).toMatch(/plugin name "a b"/);
  });

  it('defaults result_format to string', () => {
    expect(
      parsePluginFile('[u]\nname = uptime\ncommand = uptime\n', 'u.cfg').plugins[0]?.format,
    ).toBe('string');
  });

  describe('ConfigParser compatibility', () => {
    const plugin = (text: string) => {
      const set = parsePluginFile(text, 'c.cfg');
      if (set.rejected.length > 0) throw new Error(set.rejected[0]?.reason);
      return set.plugins[0];
    };

    it('accepts ":" as separator, lower-cases keys and keeps ; and # inside values', () => {
      expect(plugin('[p]\nName: p\nCOMMAND = echo a;b #c\n')).toMatchObject({
        name: 'p',
        argv: ['echo', 'a;b', '#c'],
      });
    });

    it('strips comments: whole lines, and " ;" inline', () => {
      expect(plugin('# head\n[p]\n; note\nname = p ; the name\ncommand = uptime\n')).toMatchObject({
        name: 'p',
      });
    });

    it('joins indented continuation lines', () => {
      expect(
        plugin('[p]\nname = p\ncommand = uptime\ndescription = first\n  second\n')?.description,
      ).toBe('first\nsecond');
    });

    it('applies [DEFAULT] to every section and %-interpolation', () => {
      const set = parsePluginFile(
        '[DEFAULT]\ntimeout = 5\nbin = /usr/bin\n[a]\nname = a\ncommand = %(bin)s/date +%%s\n[b]\nname = b\ncommand = true\ntimeout = 7\n',
        'd.cfg',
      );
      expect(set.rejected).toEqual([]);
      expect(set.plugins.map((p) => [p.name, p.timeoutMs, p.argv])).toEqual([
        ['a', 5000, ['/usr/bin/date', '+%s']],
        ['b', 7000, ['true']],
      ]);
    });

    it('rejects a lone % as ConfigParser does', () => {
      expect(
        parsePluginFile('[p]\nname = p\ncommand = date +%s\n', 'p.cfg').rejected[0]?.reason,
      ).toMatch(/write %% for a literal %/);
      expect(
        parsePluginFile('[p]\nname = p\ncommand = %(nope)s\n', 'p.cfg').rejected[0]?.reason,
      ).toMatch(/not set/);
    });

    it('merges a section that appears twice', () => {
      expect(plugin('[p]\nname = p\n[p]\ncommand = uptime\n')).toMatchObject({
        name: 'p',
        command: 'uptime',
      });
    });
  });
});
