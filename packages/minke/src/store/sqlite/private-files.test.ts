import { chmodSync, mkdtempSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { prepareSqliteFile, tightenMode } from './private-files.js';

const dir = mkdtempSync(join(tmpdir(), 'minke-private-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const modeOf = (path: string) => statSync(path).mode & 0o777;

describe.skipIf(process.platform === 'win32')('private files', () => {
  it('creates a new database file 0600 (and its folder 0700), whatever the umask', () => {
    const previous = process.umask(0);
    try {
      prepareSqliteFile(join(dir, 'new', 'data.db'));
    } finally {
      process.umask(previous);
    }
    expect(modeOf(join(dir, 'new', 'data.db'))).toBe(0o600);
    expect(modeOf(join(dir, 'new'))).toBe(0o700);
  });

  it('tightens a looser file and its companions, telling what it changed', () => {
    const file = join(dir, 'old.db');
    for (const path of [file, `${file}-wal`]) {
      writeFileSync(path, '');
      chmodSync(path, 0o644);
    }
    const notices: string[] = [];
    prepareSqliteFile(file, ({ path, was, now }) => notices.push(`${path} ${was} ${now}`));
    expect([modeOf(file), modeOf(`${file}-wal`)]).toEqual([0o600, 0o600]);
    expect(notices).toEqual([`${file} 0644 0600`, `${file}-wal 0644 0600`]);
    // Already private, or stricter: nothing to say.
    chmodSync(file, 0o400);
    prepareSqliteFile(file, () => notices.push('again'));
    expect(modeOf(file)).toBe(0o400);
    expect(notices).toHaveLength(2);
  });

  it('never follows a link, and leaves a missing path alone', () => {
    const target = join(dir, 'target');
    writeFileSync(target, '');
    chmodSync(target, 0o644);
    symlinkSync(target, join(dir, 'link'));
    tightenMode(join(dir, 'link'), 0o600);
    expect(modeOf(target)).toBe(0o644);
    expect(() => tightenMode(join(dir, 'missing'), 0o700)).not.toThrow();
  });
});
