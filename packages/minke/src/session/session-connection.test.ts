import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSessionLocally } from '../../test-support/session-harness.js';
import { Session } from './session.js';

/** `this.c` over the local transport: what gets recorded, without an sshd. */
describe('this.c', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'minke-this-c-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('records transfers and local commands as commands the user can read', async () => {
    class Copy extends Session {
      override async process() {
        await this.c.put({ content: 'abc' }, `${dir}/a b.txt`, { mode: 0o640 });
        const got = await this.c.get(`${dir}/a b.txt`);
        await this.c.get(`${dir}/a b.txt`, `${dir}/copy.txt`);
        await this.c.local(`printf %s ${got.data?.toString() ?? ''}`);
      }
    }
    const trace = await runSessionLocally(Copy);
    expect(trace.error).toBeUndefined();
    expect(trace.commands.map((c) => [c.command, c.exitCode, c.stdout])).toEqual([
      [`put <data> -> '${dir}/a b.txt' (mode 0640, 3 bytes)`, 0, ''],
      [`get '${dir}/a b.txt' (3 bytes)`, 0, ''],
      [`get '${dir}/a b.txt' -> ${dir}/copy.txt (3 bytes)`, 0, ''],
      ['[local] printf %s abc', 0, 'abc'],
    ]);
    expect(await readFile(`${dir}/copy.txt`, 'utf8')).toBe('abc');
  });

  it('records a failed transfer with its reason, then lets the error end the session', async () => {
    class Missing extends Session {
      override async process() {
        await this.c.get(`${dir}/missing.txt`);
      }
    }
    const trace = await runSessionLocally(Missing);
    const reason = `local: no such file or directory (get ${dir}/missing.txt)`;
    expect((trace.error as Error).message).toBe(reason);
    expect(trace.commands).toMatchObject([
      { command: `get ${dir}/missing.txt`, exitCode: null, stderr: `${reason}\n` },
    ]);
  });

  it('kills with the caller’s own signal without stopping the session', async () => {
    class OwnTimeout extends Session {
      override async process() {
        const result = await this.c.run('sleep 30', { killSignal: AbortSignal.timeout(100) });
        await this.addMsg(`killed: ${result.killed}`);
      }
    }
    const trace = await runSessionLocally(OwnTimeout);
    expect(trace.error).toBeUndefined();
    expect(trace.messages.map((m) => m.text)).toEqual(['killed: true']);
  });
});
