import { describe, expect, it } from 'vitest';
import { splitArgv } from './split-argv.js';

const argv = (command: string) => {
  const outcome = splitArgv(command);
  if (!outcome.ok) throw new Error(outcome.reason);
  return outcome.argv;
};

describe('splitArgv', () => {
  it('splits on white space', () => {
    expect(argv('facter -y')).toEqual(['facter', '-y']);
    expect(argv('  ps\t-ef  \n')).toEqual(['ps', '-ef']);
    expect(argv('')).toEqual([]);
  });

  it('keeps single-quoted text literally', () => {
    expect(argv(`sh -c 'ps -ef | grep "x" \\ $HOME'`)).toEqual([
      'sh',
      '-c',
      'ps -ef | grep "x" \\ $HOME',
    ]);
  });

  it('escapes only " and \\ inside double quotes', () => {
    expect(argv(`echo "a \\"b\\" c\\\\d \\n"`)).toEqual(['echo', 'a "b" c\\d \\n']);
  });

  it('escapes any character outside quotes', () => {
    expect(argv('ls my\\ file \\"x\\"')).toEqual(['ls', 'my file', '"x"']);
  });

  it('joins adjacent quoted and unquoted parts into one word, and keeps empty words', () => {
    expect(argv(`--name="a b"'c'd`)).toEqual(['--name=a bcd']);
    expect(argv(`printf '' ""`)).toEqual(['printf', '', '']);
  });

  it('does not treat # as a comment, nor expand anything', () => {
    expect(argv('echo #x $HOME ~ *')).toEqual(['echo', '#x', '$HOME', '~', '*']);
  });

  it('rejects unbalanced quotes and a trailing backslash', () => {
    expect(splitArgv(`echo "open`)).toEqual({ ok: false, reason: 'unbalanced double quote' });
    expect(splitArgv(`echo 'open`)).toEqual({ ok: false, reason: 'unbalanced single quote' });
    expect(splitArgv('echo \\')).toEqual({ ok: false, reason: 'a backslash ends the command' });
  });

  it('reports unquoted shell operators, but not quoted or escaped ones', () => {
    expect(splitArgv('ps -ef | grep x')).toMatchObject({ ok: true, operators: ['|'] });
    expect(splitArgv('a && b > c')).toMatchObject({ ok: true, operators: ['&&', '>'] });
    expect(splitArgv(`find . -exec echo {} \\;`)).toMatchObject({ ok: true, operators: [] });
    expect(splitArgv(`echo '|' ">"`)).toMatchObject({ ok: true, operators: [] });
  });
});
