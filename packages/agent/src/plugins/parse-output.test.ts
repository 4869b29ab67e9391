import { describe, expect, it } from 'vitest';
import { parseOutput } from './parse-output.js';

describe('parseOutput', () => {
  it('json: parses, and gives an error for invalid or empty JSON', () => {
    expect(parseOutput('json', '{"a": [1, "x", null]}\n')).toEqual({
      ok: true,
      value: { a: [1, 'x', null] },
    });
    expect(parseOutput('json', '{"a": ')).toMatchObject({
      ok: false,
      error: expect.stringMatching(/^invalid JSON output: /),
    });
    expect(parseOutput('json', '  \n')).toEqual({
      ok: false,
      error: 'invalid JSON output: it is empty',
    });
  });

  it('yaml: parses with the core schema only', () => {
    expect(
      parseOutput('yaml', '---\nos: linux\ncpus: [1, 2]\nwhen: 2001-12-14\non: yes\n'),
    ).toEqual({
      ok: true,
      value: { os: 'linux', cpus: [1, 2], when: '2001-12-14', on: 'yes' },
    });
    // Tags that would build objects in an unsafe loader are ignored, never executed.
    expect(parseOutput('yaml', '--- !ruby/object:Puppet::Node\nname: web1\n')).toEqual({
      ok: true,
      value: { name: 'web1' },
    });
    expect(parseOutput('yaml', 'a: !!js/function "function () {}"\n')).toEqual({
      ok: true,
      value: { a: 'function () {}' },
    });
    expect(parseOutput('yaml', '')).toEqual({ ok: true, value: null });
  });

  it('yaml: gives an error for invalid YAML, several documents and duplicate keys', () => {
    expect(parseOutput('yaml', 'a: [1, 2\n')).toMatchObject({
      ok: false,
      error: expect.stringMatching(/^invalid YAML output: /),
    });
    expect(parseOutput('yaml', 'a: 1\n---\nb: 2\n')).toMatchObject({ ok: false });
    expect(parseOutput('yaml', 'a: 1\na: 2\n')).toMatchObject({ ok: false });
  });

  it('yaml: refuses alias bombs', () => {
    const bomb = [
      'a: &a [x, x, x, x, x, x, x, x, x]',
      'b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]',
      'c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]',
      'd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]',
      'e: [*d, *d, *d, *d, *d, *d, *d, *d, *d]',
    ].join('\n');
    expect(parseOutput('yaml', bomb)).toMatchObject({ ok: false });
  });

  it("output: Vogeler's lines, each stripped, with the empty string after a final newline", () => {
    expect(parseOutput('output', 'x\n y \n')).toEqual({ ok: true, value: ['x', 'y', ''] });
    expect(parseOutput('output', 'a\n  b \r\n\tc')).toEqual({ ok: true, value: ['a', 'b', 'c'] });
    expect(parseOutput('output', 'a\n\n')).toEqual({ ok: true, value: ['a', '', ''] });
    expect(parseOutput('output', 'no newline')).toEqual({ ok: true, value: ['no newline'] });
    expect(parseOutput('output', '')).toEqual({ ok: true, value: [''] });
    // Python's strip(): U+00A0 and U+001F are white space to it, U+FEFF (a BOM) is not.
    expect(parseOutput('output', '\u00a0a\u001f\n\ufeffb')).toEqual({
      ok: true,
      value: ['a', '\ufeffb'],
    });
  });

  it('string and raw: stdout exactly as produced', () => {
    expect(parseOutput('string', '  web1 \n\n')).toEqual({ ok: true, value: '  web1 \n\n' });
    expect(parseOutput('raw', '  web1 \r\n')).toEqual({ ok: true, value: '  web1 \r\n' });
    expect(parseOutput('string', '')).toEqual({ ok: true, value: '' });
  });

  it('pylist and pydict: a Python literal read into JSON, of the kind the format names', () => {
    expect(parseOutput('pylist', "[u'curl', 'nginx', 3L, None]\n")).toEqual({
      ok: true,
      value: ['curl', 'nginx', 3, null],
    });
    expect(parseOutput('pylist', "('a', 'b')")).toEqual({ ok: true, value: ['a', 'b'] });
    expect(parseOutput('pydict', "{'os': 'debian', 'cpus': (1, 2), 'ok': True}\n")).toEqual({
      ok: true,
      value: { os: 'debian', cpus: [1, 2], ok: true },
    });
    expect(parseOutput('pydict', "['a']")).toEqual({
      ok: false,
      error: 'invalid Python dict: the output is a list, not a dict',
    });
    expect(parseOutput('pylist', "{'a': 1}")).toEqual({
      ok: false,
      error: 'invalid Python list: the output is a dict, not a list',
    });
    expect(parseOutput('pydict', "__import__('os').system('id')")).toMatchObject({
      ok: false,
      error: expect.stringMatching(
        /^invalid Python dict: line 1, column 1: "__import__" is not a literal/,
      ),
    });
  });

  it('refuses truncated structured output, but not truncated text', () => {
    expect(parseOutput('json', '{"a": 1}', true)).toMatchObject({
      ok: false,
      error: expect.stringMatching(/cut at max_output/),
    });
    expect(parseOutput('yaml', 'a: 1', true)).toMatchObject({ ok: false });
    expect(parseOutput('pylist', '[1]', true)).toEqual({
      ok: false,
      error: 'output was cut at max_output, so it is not a complete Python list',
    });
    expect(parseOutput('pydict', '{}', true)).toMatchObject({ ok: false });
    expect(parseOutput('output', 'a\nb', true)).toEqual({ ok: true, value: ['a', 'b'] });
  });
});
