import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { shellJoin, shellQuote } from './shell-quote.js';

/** What a real POSIX shell makes of the quoted word: printed back between brackets. */
function throughShell(value: string): string {
  return execFileSync('/bin/sh', ['-c', `printf '[%s]' ${shellQuote(value)}`], {
    encoding: 'utf8',
  });
}

describe('shellQuote', () => {
  it('quotes the empty string as two single quotes', () => {
    expect(shellQuote('')).toBe("''");
    expect(throughShell('')).toBe('[]');
  });

  it('leaves plain words readable and stringifies numbers and booleans', () => {
    expect(shellQuote('web-01.example.com')).toBe('web-01.example.com');
    expect(shellQuote(42)).toBe('42');
    expect(shellQuote(true)).toBe('true');
  });

  it('quotes assignments so a first word never sets a variable', () => {
    expect(shellQuote('A=b')).toBe("'A=b'");
  });

  it('escapes single quotes', () => {
    expect(shellQuote("it's")).toBe(`'it'\\''s'`);
  });

  it.each([
    ['spaces', 'a b  c'],
    ['single quotes', "it's 'quoted'"],
    ['double quotes', 'say "hi"'],
    ['command substitution', '$(touch /tmp/pwned)'],
    ['backticks', '`id`'],
    ['variables', '$HOME ${PATH}'],
    ['newlines', 'line one\nline two\n'],
    ['globs and operators', '* ? [a] ; && || | > < & ~'],
    ['backslashes', 'C:\\dir\\n'],
    ['unicode', 'foobär – 日本語 🚀'],
    ['a leading dash', '-rf'],
  ])('round-trips %s through /bin/sh unchanged', (_name, value) => {
    expect(throughShell(value)).toBe(`[${value}]`);
  });
});

describe('shellJoin', () => {
  it('quotes each word', () => {
    expect(shellJoin(['echo', 'a b', "c'd"])).toBe(`echo 'a b' 'c'\\''d'`);
  });
});
