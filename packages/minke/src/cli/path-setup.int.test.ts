import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

// The README's quick start gives users `minke` as a command (no npx on every call): its `export
// PATH=...` line, run at the repository root as written, must make `minke` and `minke-agent` work
// from any folder.
const root = fileURLToPath(new URL('../../../../', import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'minke-path-setup-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function quickStartPathLine(): string {
  const line = readFileSync(join(root, 'README.md'), 'utf8')
    .split('\n')
    .find((text) => text.startsWith('export PATH='));
  if (line === undefined) throw new Error('the README has no `export PATH=` line');
  return line;
}

describe("the quick start's PATH line", () => {
  it('puts minke and minke-agent on the PATH, usable from any folder', () => {
    const script = [
      quickStartPathLine(),
      'cd "$1"',
      'command -v minke',
      'minke --version',
      'minke-agent --help >/dev/null',
    ].join('\n');
    const result = spawnSync('sh', ['-c', script, 'sh', tmp], {
      cwd: root,
      encoding: 'utf8',
      timeout: 60_000,
      // Node's folder and the system's only: a minke installed elsewhere must not answer instead.
      env: { PATH: `${dirname(process.execPath)}:/usr/bin:/bin`, HOME: tmp, NO_COLOR: '1' },
    });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const { version } = JSON.parse(
      readFileSync(join(root, 'packages/minke/package.json'), 'utf8'),
    ) as { version: string };
    expect(result.stdout).toBe(`${join(root, 'node_modules/.bin/minke')}\n${version}\n`);
  });
});
