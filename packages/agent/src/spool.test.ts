import { createRequest } from '@minke/protocol';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from './logger.js';
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

async function open(dir: string, maxResults?: number, node = 'web1'): Promise<Spool> {
  const spool = await Spool.open(dir, maxResults === undefined ? { node } : { node, maxResults });
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

  it('refuses a spool another live process holds, naming its node and pid', async () => {
    const dir = await spoolDir();
    await open(dir);
    await expect(Spool.open(dir, { node: 'web1' })).rejects.toThrow(/already open in this process/);
    // What a second agent process sees (the parent of this test process is alive).
    const live = JSON.stringify({ pid: process.ppid, node: 'web2', processStart: undefined });
    await writeFile(join(dir, 'lock'), live);
    await expect(Spool.open(dir, { node: 'web1' })).rejects.toThrow(
      `spool ${dir} is in use by the agent of node web2 (process ${process.ppid}): every agent needs its own spoolDir`,
    );
    // A lock written by an older agent (a bare pid) is honoured too.
    await writeFile(join(dir, 'lock'), String(process.ppid));
    await expect(Spool.open(dir, { node: 'web1' })).rejects.toThrow(
      `is in use by another agent (process ${process.ppid})`,
    );
  });

  it('takes over the lock of an agent that is gone, or whose pid now runs something else', async () => {
    const dir = await spoolDir();
    await (await open(dir)).close();
    await writeFile(join(dir, 'lock'), '999999999');
    const spool = await open(dir);
    expect(JSON.parse(await readFile(join(dir, 'lock'), 'utf8'))).toMatchObject({
      pid: process.pid,
      node: 'web1',
    });
    await spool.close();
    await expect(readdir(dir)).resolves.not.toContain('lock');
    if (process.platform === 'linux') {
      // The pid is alive, but that process started at another time than the lock's holder.
      const reused = { pid: process.ppid, node: 'web1', processStart: '1' };
      await writeFile(join(dir, 'lock'), JSON.stringify(reused));
      await expect(open(dir)).resolves.toBeInstanceOf(Spool);
    }
  });

  it("records its node, and refuses another node's spool", async () => {
    const dir = await spoolDir();
    await (await open(dir)).close();
    expect(await readFile(join(dir, 'node'), 'utf8')).toBe('web1');
    await expect(Spool.open(dir, { node: 'web2' })).rejects.toThrow(
      `spool ${dir} belongs to node web1 (recorded in ${join(dir, 'node')}), not web2: give every agent its own spoolDir`,
    );
    // The refused open released its lock: web1 opens it again.
    await expect(open(dir)).resolves.toBeInstanceOf(Spool);
  });

  it("leaves another node's results and requests alone, reports them once, never loads them", async () => {
    const dir = await spoolDir();
    await (await open(dir)).close();
    const mine = sampleResult({ node: 'web1' });
    const theirs = sampleResult({ node: 'web2' });
    const theirJob = createRequest({ plugin: 'ps', target: { node: 'web2' } });
    const broadcast = createRequest({ plugin: 'ps', target: { all: true } });
    await writeFile(join(dir, 'results', `${mine.id}.json`), JSON.stringify(mine));
    await writeFile(join(dir, 'results', `${theirs.id}.json`), JSON.stringify(theirs));
    await writeFile(join(dir, 'jobs', `${theirJob.id}.json`), JSON.stringify(theirJob));
    await writeFile(join(dir, 'jobs', `${broadcast.id}.json`), JSON.stringify(broadcast));
    const warnings: unknown[] = [];
    const logger = { ...silentLogger, warn: (...args: unknown[]) => void warnings.push(args) };
    const spool = await Spool.open(dir, { node: 'web1', logger });
    cleanups.push(() => spool.close());
    expect(spool.pendingResults()).toEqual([mine]);
    expect(spool.jobs()).toEqual([broadcast]);
    expect(spool.foreign).toEqual({ results: 1, jobs: 1, nodes: ['web2'] });
    expect(warnings).toEqual([
      [
        { spool: dir, results: 1, jobs: 1, nodes: ['web2'] },
        "spool holds results or requests of other nodes: left alone and never sent (they are not node web1's)",
      ],
    ]);
    expect(await spool.acknowledge({ resultIds: [theirs.id], requestIds: [] })).toEqual([]);
    expect((await readdir(join(dir, 'results'))).sort()).toEqual(
      [`${mine.id}.json`, `${theirs.id}.json`].sort(),
    );
  });
});
