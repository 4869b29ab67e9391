import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { refuseIfOthersCanRead } from './owner-only-file.js';

describe.skipIf(process.platform === 'win32')('refuseIfOthersCanRead', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'minke-owner-only-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('takes a file only its owner reads, and names the fix for one a group can read', async () => {
    const file = join(dir, 'key');
    await writeFile(file, 'secret');
    await chmod(file, 0o600);
    await expect(refuseIfOthersCanRead(file, 'the signing key')).resolves.toBeUndefined();
    await chmod(file, 0o640);
    await expect(refuseIfOthersCanRead(file, 'the signing key')).rejects.toThrow(
      `the signing key ${file} can be read by other users: fix it with chmod 600 ${file}`,
    );
  });
});
