import { describe, expect, it } from 'vitest';
import { parsePythonLiteral } from './parse-python-literal.js';

const value = (text: string) => {
  const parsed = parsePythonLiteral(text);
  if (!parsed.ok) throw new Error(`expected a value, got: ${parsed.error}`);
  return parsed.value;
};
const error = (text: string) => {
  const parsed = parsePythonLiteral(text);
  if (parsed.ok) throw new Error(`expected an error, got ${JSON.stringify(parsed.value)}`);
  return parsed.error;
};

describe('parsePythonLiteral: what repr() writes', () => {
  it('reads strings in either quote, with prefixes, escapes and triple quotes', () => {
    expect(value(`['a', "b", u'c', U"d", b'e', r'\\d+', '''x'y''', """p\nq"""]`)).toEqual([
      'a',
      'b',
      'c',
      'd',
      'e',
      '\\d+',
      "x'y",
      'p\nq',
    ]);
    expect(value(String.raw`'it\'s \"q\" \\ \n\t\r \x41\101\0 \u00e9\U0001F600 \d'`)).toEqual(
      `it's "q" \\ \n\t\r AA\0 é😀 \\d`,
    );
    expect(value(String.raw`b'caf\xc3\xa9'`)).toBe('café');
    expect(value(String.raw`b'\u00e9'`)).toBe('\\u00e9'); // no \u escape in bytes
    expect(value(String.raw`r'a\'b'`)).toBe("a\\'b");
    expect(value(`'a' "b"`)).toBe('ab');
    expect(value(`'line\\\ncontinued'`)).toBe('linecontinued');
  });

  it('reads numbers as Python does', () => {
    expect(value('[0, -1, +2, 1_000, 0x1F, 0o17, 0b101, 10L, 1.5, -.5, 5., 1e3, 2.5E-2]')).toEqual([
      0, -1, 2, 1000, 31, 15, 5, 10, 1.5, -0.5, 5, 1000, 0.025,
    ]);
    // Beyond 2^53 - 1 a JSON number is not exact: the digits are kept as a string.
    expect(
      value('[9007199254740991, 123456789012345678901234567890, -98765432109876543210]'),
    ).toEqual([9007199254740991, '123456789012345678901234567890', '-98765432109876543210']);
  });

  it('reads True, False, None, lists, tuples and dicts', () => {
    expect(
      value(
        `{'name': 'web1', 'up': True, 'down': False, 'gw': None, 'ips': ('10.0.0.1',), 'x': ()}`,
      ),
    ).toEqual({ name: 'web1', up: true, down: false, gw: null, ips: ['10.0.0.1'], x: [] });
    expect(value('(1)')).toBe(1); // parentheses, not a tuple
    expect(value('[[], {}, [1, [2, [3]]],]')).toEqual([[], {}, [1, [2, [3]]]]);
    expect(value('\n  [1,\n   2]  # a comment\n')).toEqual([1, 2]);
  });

  it("gives dict keys json.dumps' strings; the last of a repeated key wins", () => {
    expect(value(`{1: 'a', 2.5: 'b', True: 'c', None: 'd', 'k': 1, 'k': 2}`)).toEqual({
      '1': 'a',
      '2.5': 'b',
      true: 'c',
      null: 'd',
      k: 2,
    });
    const proto = value(`{'__proto__': {'polluted': True}}`) as Record<string, unknown>;
    expect(Object.keys(proto)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(proto)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });
});

describe('parsePythonLiteral: what it refuses', () => {
  it('never runs anything: names and calls are errors', () => {
    expect(error("__import__('os').system('touch /tmp/pwned')")).toBe(
      'line 1, column 1: "__import__" is not a literal (only strings, numbers, True, False, None, lists, tuples and dicts are read; nothing is run)',
    );
    expect(error("{'a': open('/etc/passwd').read()}")).toMatch(/^line 1, column 7: "open" is not/);
    expect(error('[1 + 2]')).toMatch(/expected "," or "]" in the list, got "\+ 2\]"/);
    expect(error(`f'{x}'`)).toMatch(/f-strings are code/);
    expect(error('[lambda: 1]')).toMatch(/"lambda" is not a literal/);
    expect(error('[().__class__]')).toMatch(/expected "," or "]"/);
  });

  it('refuses what JSON cannot carry', () => {
    expect(error('{1, 2}')).toMatch(/a set .* has no JSON form/);
    expect(error('[1j]')).toMatch(/complex numbers have no JSON form/);
    expect(error('[1e400]')).toMatch(/too large for a JSON number/);
    expect(error("{(1, 2): 'a'}")).toMatch(/a list or tuple cannot be a dict key/);
    expect(error('[inf]')).toMatch(/"inf" is not a literal/);
  });

  it('names the line and column of malformed input', () => {
    expect(error('')).toBe('line 1, column 1: it is empty');
    expect(error('[1, 2')).toBe('line 1, column 1: list is not closed with "]"');
    expect(error("{'a': 1,\n 'b' 2}")).toBe(
      'line 2, column 6: expected ":" after a dict key, got "2}"',
    );
    expect(error("['abc")).toBe('line 1, column 2: unterminated string (no closing quote)');
    expect(error("['a\nb']")).toMatch(/the line ends before the quote/);
    expect(error('[1] [2]')).toBe('line 1, column 5: unexpected "[2]" after the value');
    expect(error('[007]')).toMatch(/leading zeros/);
    expect(error(String.raw`'\x4'`)).toMatch(/\\x needs 2 hex digits/);
    expect(error('[-True]')).toMatch(/"-" must be followed by a number/);
    expect(error('[12abc]')).toMatch(/invalid number "12"/);
  });

  it('refuses deep nesting without exhausting the stack', () => {
    const deep = '['.repeat(100_000) + ']'.repeat(100_000);
    expect(error(deep)).toBe('line 1, column 101: nested deeper than 100 levels');
    expect(value('['.repeat(100) + ']'.repeat(100))).toBeDefined();
    expect(error('('.repeat(50_000) + '1,)'.repeat(50_000))).toMatch(/nested deeper/);
    expect(error('{"a":'.repeat(1000) + '1' + '}'.repeat(1000))).toMatch(/nested deeper/);
  });

  it('reads huge output in one pass (nested tuples are not read twice)', () => {
    const items = Array.from({ length: 200_000 }, (_, i) => `('pkg-${i}', ${i}, True)`);
    const parsed = value(`[${items.join(', ')}]`) as unknown[];
    expect(parsed).toHaveLength(200_000);
    expect(parsed[199_999]).toEqual(['pkg-199999', 199_999, true]);
    // Each level's first element would be read again by a naive tuple parser: 2^90 steps.
    const tuples = '('.repeat(90) + '1,),'.repeat(89) + '1,)';
    expect(value(tuples)).toBeDefined();
    const long = 'x'.repeat(5_000_000);
    expect(value(`['${long}']`)).toEqual([long]);
  });
});
