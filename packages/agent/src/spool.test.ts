import { createRequest } from '@minke/protocol';
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Spool } from './spool.js';
import { sampleResult } from './test-support/results.js';
import { tempDir } from './test-support/temp.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function spoolDir(): Promise<string> {
  const { dir, cleanup } = await tempDir();
  cleanups.push(cleanup);
  return join(dir, 'spool');
}

async function open(dir: string, maxResults?: number): Promise<Spool> {
  const spool = await Spool.open(dir, maxResults === undefined ? {} : { maxResults });
  cleanups.push(() => spool.close());
  return spool;
}

describe('Spool', () => {
  it('keeps results across a restart until they are acknowledged', async () => {
    const dir = await spoolDir();
    const first = await open(dir);
    const a = sampleResult({ finishedAt: '2025-01-01T00:00:01.000Z' });
    const b = sampleResult({ finishedAt: '2025-01-01T00:00:02.000Z' });
    await first.addResult(b);
    await first.addResult(a);
    await first.close();

    const second = await open(dir);
    expect(second.pendingResults()).toEqual([a, b]);
    expect(await second.acknowledge({ resultIds: [a.id], requestIds: [] })).toEqual([a.id]);
    await second.close();

    const third = await open(dir);
    expect(third.pendingResults()).toEqual([b]);
    expect(await third.acknowledge({ resultIds: [], requestIds: [b.requestId!] })).toEqual([b.id]);
    expect(third.resultCount).toBe(0);
    expect(await readdir(join(dir, 'results'))).toEqual([]);
  });

  it('keeps accepted requests (jobs) and the replay guard across a restart', async () => {
    const dir = await spoolDir();
    const first = await open(dir);
    const request = createRequest({ plugin: 'ps', target: { all: true } });
    await first.addJob(request);
    await first.writeGuard({
      v: 1,
      floor: 0,
      entries: [[request.id, Date.parse(request.expiresAt)]],
    });
    await first.close();

    const second = await open(dir);
    expect(second.jobs()).toEqual([request]);
    expect(await second.readGuard()).toEqual({
      v: 1,
      floor: 0,
      entries: [[request.id, Date.parse(request.expiresAt)]],
    });
    await second.removeJob(request.id);
    expect(second.jobs()).toEqual([]);
  });

  it('is bounded: beyond maxResults the oldest result is dropped', async () => {
    const spool = await open(await spoolDir(), 2);
    const results = [1, 2, 3].map((i) =>
      sampleResult({ finishedAt: `2025-01-01T00:00:0${i}.000Z` }),
    );
    for (const result of results) await spool.addResult(result);
    expect(spool.pendingResults().map((r) => r.id)).toEqual([results[1]!.id, results[2]!.id]);
  });

  it('sets aside unreadable files and removes interrupted writes', async () => {
    const dir = await spoolDir();
    await (await open(dir)).close();
    await writeFile(join(dir, 'results', 'broken.json'), '{"half":');
    await writeFile(join(dir, 'results', '.tmp-123'), '{"half":');
    const spool = await open(dir);
    expect(spool.resultCount).toBe(0);
    expect((await readdir(join(dir, 'results'))).sort()).toEqual(['broken.json.corrupt']);
  });

  it('refuses a spool another live process holds', async () => {
    const dir = await spoolDir();
    await open(dir);
    await expect(Spool.open(dir)).rejects.toThrow(/already open in this process/);
    await writeFile(join(dir, 'lock'), String(process.ppid));
    await expect(Spool.open(dir)).rejects.toThrow(/is in use by process/);
  });

  it('takes over the lock of an agent that is gone', async () => {
    const dir = await spoolDir();
    await (await open(dir)).close();
    await writeFile(join(dir, 'lock'), '999999999');
    await expect(open(dir)).resolves.toBeInstanceOf(Spool);
  });
});
