import { agentSpoolDir } from '@minke/protocol';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from './logger.js';
import { reportLegacySpool } from './spool-legacy.js';
import { sampleResult } from './test-support/results.js';
import { tempDir } from './test-support/temp.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

/** A spool base as older agents left it: results of two nodes in `<base>/results`. */
async function legacyBase(): Promise<string> {
  const { dir, cleanup } = await tempDir();
  cleanups.push(cleanup);
  await mkdir(join(dir, 'results'));
  for (const result of [
    sampleResult({ node: 'web1' }),
    sampleResult({ node: 'web1' }),
    sampleResult({ node: 'web2' }),
  ])
    await writeFile(join(dir, 'results', `${result.id}.json`), JSON.stringify(result));
  await writeFile(join(dir, 'results', 'broken.json'), '{"half":');
  return dir;
}

describe('reportLegacySpool', () => {
  it("says once how many of this node's results wait in the old shared spool", async () => {
    const base = await legacyBase();
    const warnings: unknown[][] = [];
    const logger = { ...silentLogger, warn: (...args: unknown[]) => void warnings.push(args) };
    const spoolDir = agentSpoolDir('web1', base);
    expect(await reportLegacySpool({ node: 'web1', spoolDir }, logger, base)).toBe(2);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.[0]).toEqual({ legacySpool: base, results: 2, spool: spoolDir });
    expect(warnings[0]?.[1]).toMatch(
      /^the shared spool of older agents holds 2 unacknowledged result\(s\) of this node; they are not sent from there/,
    );
  });

  it('stays quiet for a spool chosen in the config, or when nothing of this node waits', async () => {
    const base = await legacyBase();
    const warnings: unknown[] = [];
    const logger = { ...silentLogger, warn: (...args: unknown[]) => void warnings.push(args) };
    expect(await reportLegacySpool({ node: 'web1', spoolDir: base }, logger, base)).toBe(0);
    const db1 = agentSpoolDir('db1', base);
    expect(await reportLegacySpool({ node: 'db1', spoolDir: db1 }, logger, base)).toBe(0);
    expect(warnings).toEqual([]);
  });
});
