import { describe, expect, it } from 'vitest';
import { NO_PASSWORDS, passwordsGivenText, runConnectionOf } from './run-passwords.js';

describe("a run's passwords", () => {
  it('sends nothing when none is given', () => {
    expect(runConnectionOf(NO_PASSWORDS)).toBeUndefined();
    expect(passwordsGivenText(NO_PASSWORDS)).toBeUndefined();
  });

  it('sends each given password where the connection settings keep it, as typed', () => {
    expect(runConnectionOf({ ssh: '', sudo: ' s3 cret ' })).toEqual({
      sudo: { password: ' s3 cret ' },
    });
    expect(runConnectionOf({ ssh: 'login', sudo: 'root' })).toEqual({
      password: 'login',
      sudo: { password: 'root' },
    });
  });

  it('names the passwords given on the confirm step, never their values', () => {
    const text = passwordsGivenText({ ssh: 'login', sudo: 'root' });
    expect(text).toBe(
      'With the SSH and sudo passwords given here, for this run only (never stored).',
    );
    expect(text).not.toContain('login');
    expect(passwordsGivenText({ ssh: '', sudo: 'x' })).toMatch(/^With the sudo password given/);
  });
});
