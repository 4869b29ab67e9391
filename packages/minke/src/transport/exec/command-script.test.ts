import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../errors.js';
import { commandScript, killGroupScript, remoteWrapper } from './command-script.js';

const sh = (script: string) => execFileSync('/bin/sh', ['-c', script], { encoding: 'utf8' });

describe('commandScript', () => {
  it('is the command itself without env or sudo', () => {
    expect(commandScript({ command: 'uptime' })).toBe('uptime');
  });

  it('exports env values verbatim, quoted', () => {
    const script = commandScript({
      command: 'printf "%s|%s" "$A" "$B"',
      env: { A: "it's $(x)", B: 'two\nlines' },
    });
    expect(sh(script)).toBe("it's $(x)|two\nlines");
  });

  it('refuses env names that are not shell identifiers', () => {
    expect(() => commandScript({ command: 'true', env: { 'A;rm': 'x' } })).toThrow(InputError);
  });

  it('uses sudo -n without a password, and -S with the prompt when there is one', () => {
    expect(commandScript({ command: 'id', sudo: {} })).toBe('sudo -n -- /bin/sh -c id');
    const withPassword = commandScript({
      command: 'id',
      sudo: { password: 'secret', user: 'www-data' },
      sudoPrompt: '[p]',
    });
    expect(withPassword).toBe("sudo -S -p '[p]' -u www-data -- /bin/sh -c id");
    expect(withPassword).not.toContain('secret');
  });

  it('puts the exports inside the sudo shell', () => {
    expect(commandScript({ command: 'env', env: { A: '1' }, sudo: {} })).toBe(
      `sudo -n -- /bin/sh -c 'export A=1\nenv'`,
    );
  });
});

describe('remoteWrapper', () => {
  it('announces the process group on stderr before running the script', () => {
    const out = execFileSync(
      '/bin/sh',
      ['-c', `${remoteWrapper('echo hi; echo err >&2', 'mark:')} 2>&1`],
      { encoding: 'utf8' },
    );
    expect(out).toMatch(/^mark:\d+\nhi\nerr\n$/);
  });
});

describe('killGroupScript', () => {
  it('refuses process groups that would hit everything', () => {
    expect(() => killGroupScript(1)).toThrow();
    expect(() => killGroupScript(0)).toThrow();
    expect(() => killGroupScript(Number.NaN)).toThrow();
  });

  it('exits 0 when the group is already gone', () => {
    expect(() => sh(killGroupScript(2_000_000_000))).not.toThrow();
  });
});
