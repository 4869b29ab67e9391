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
      { file: 'many.cfg', reason: 'section at line 5: missing name' },
      { file: 'many.cfg', reason: 'section at line 7: missing command' },
      {
        file: 'many.cfg',
        reason:
          'section at line 9: unknown result_format (line 12; known: json, yaml, output, string, raw, pylist, pydict)',
      },
    ]);
  });

  it('rejects a file that does not parse, naming the line', () => {
    expect(parsePluginFile('[ok]\nname = x\nthis is not ini\n', 'bad.cfg')).toEqual({
      plugins: [],
      rejected: [
        {
          file: 'bad.cfg',
          reason: 'does not parse: line 3: expected "[section]" or "key = value"',
        },
      ],
    });
    expect(parsePluginFile('name = x\n', 'nosection.cfg').rejected[0]?.reason).toBe(
      'does not parse: line 1: a key comes before any [section] header',
    );
    expect(parsePluginFile('[open\nname = x\n', 'open.cfg').rejected[0]?.reason).toMatch(
      /^does not parse: line 1/,
    );
    expect(parsePluginFile('; only a comment\n', 'empty.cfg').rejected).toEqual([
      { file: 'empty.cfg', reason: 'defines no [section]' },
    ]);
  });

  it('rejects bad values naming the key and its line, never quoting the value', () => {
    const reason = (body: string) =>
      parsePluginFile(`[p]\nname = p\ncommand = true\n${body}\n`, 'p.cfg').rejected[0]?.reason;
    expect(reason('timeout = soon')).toBe(
      'section at line 1: timeout (line 4) is not a duration (use seconds, or 500ms, 2m, 1h)',
    );
    expect(reason('interval = 0.5')).toBe('section at line 1: interval must be at least 1 second');
    expect(reason('max_output = lots')).toMatch(
      /^section at line 1: max_output \(line 4\) is not a size/,
    );
    expect(reason('timout = 5')).toMatch(
      /^section at line 1: unknown key at line 4 \(known: name,/,
    );
    expect(reason('command = ps -ef | grep x')).toMatch(/shell operator "\|"/);
    expect(reason('command = echo $(cat /etc/shadow)')).toMatch(/shell operator "\$\(\.\.\.\)"/);
    expect(reason(`command = echo "open`)).toBe(
      'section at line 1: command: unbalanced double quote',
    );
    expect(
      parsePluginFile('[p]\nname = a b\ncommand = true\n', 'p.cfg').rejected[0]?.reason,
    ).toMatch(/^section at line 1: name \(line 2\) must be 1-128 letters/);
  });

  it('never quotes the file in a reason, whatever file it is', () => {
    const secret = 's3cr3t-VALUE';
    const files = [
      `root:${secret}:19000:0:99999:7:::\n`, // a key before any section
      `${secret} ${secret}\n`, // not ini at all
      `[${secret}]\n${secret} = ${secret}\n`, // an unknown key in an unknown section
      `[p]\nname = ${secret}!\ncommand = true\nresult_format = ${secret}\n`,
      `[p]\nname = p\ncommand = %(${secret})s\n`,
      `[p]\nname = p\ncommand = true\ntimeout = ${secret}\nmax_output = ${secret}\n`,
    ];
    for (const text of files) {
      const { rejected } = parsePluginFile(text, 'x.cfg');
      expect(rejected.length, text).toBeGreaterThan(0);
      for (const { reason } of rejected) expect(reason, text).not.toContain('s3cr3t');
    }
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
