/* eslint-disable @typescript-eslint/require-await -- the readers and writers stand in for async statements */
import { describe, expect, it } from 'vitest';
import { BatchWriter } from './batch-writer.js';

describe('BatchWriter', () => {
  it('writes the rows of one turn in one statement, each caller getting its own result', async () => {
    const statements: string[][] = [];
    const writer = new BatchWriter(
      async (rows: readonly string[]) => {
        statements.push([...rows]);
        return rows.map((row) => row.toUpperCase());
      },
      async (row: string) => {
        statements.push([row]);
        return row.toUpperCase();
      },
      2,
    );
    const results = await Promise.all(['a', 'b', 'c'].map((row) => writer.write(row)));
    expect(results).toEqual(['A', 'B', 'C']);
    expect(statements).toEqual([['a', 'b'], ['c']]);
  });

  it('writes each row alone when the shared statement fails: only the bad row fails', async () => {
    const written: string[] = [];
    const writer = new BatchWriter(
      async () => {
        throw new Error('one row violates a constraint');
      },
      async (row: string) => {
        if (row === 'bad') throw new Error(`cannot write ${row}`);
        written.push(row);
      },
    );
    const outcome = await Promise.allSettled(['a', 'bad', 'c'].map((row) => writer.write(row)));
    expect(outcome.map((result) => result.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(written).toEqual(['a', 'c']);
  });
});
