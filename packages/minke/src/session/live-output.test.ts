import { describe, expect, it } from 'vitest';
import { LiveOutput } from './live-output.js';

describe('LiveOutput', () => {
  const options = { headChars: 10, tailChars: 4, intervalMs: 100 };

  function recorder() {
    let clock = 0;
    const sent: [string, string, number][] = [];
    const live = new LiveOutput(
      (stream, chunk, skipped) => sent.push([stream, chunk, skipped]),
      options,
      () => clock,
    );
    return { live, sent, tick: (ms: number) => (clock += ms) };
  }

  it('sends the head as it comes, then the latest text at most once per interval', () => {
    const { live, sent, tick } = recorder();
    live.push('stdout', 'abcdef');
    live.push('stdout', 'ghijkl'); // 4 of these fit the head
    expect(sent).toEqual([
      ['stdout', 'abcdef', 0],
      ['stdout', 'ghij', 0],
      ['stdout', 'kl', 0], // the first glimpse after the head goes at once
    ]);
    live.push('stdout', 'mnopqrstuvwxyz');
    expect(sent).toHaveLength(3); // held: within the interval
    tick(100);
    live.push('stdout', '1234');
    expect(sent.at(-1)).toEqual(['stdout', '1234', 14]);
    live.push('stderr', 'oops');
    live.flush();
    expect(sent.at(-1)).toEqual(['stderr', 'oops', 0]);
  });

  it('holds a bounded amount whatever comes, and counts every character it skips', () => {
    const { live, sent } = recorder();
    let total = 0;
    for (let i = 0; i < 10_000; i++) {
      live.push('stdout', 'x'.repeat(1000));
      total += 1000;
    }
    live.flush();
    const shown = sent.reduce((sum, [, chunk]) => sum + chunk.length, 0);
    const skipped = sent.reduce((sum, [, , n]) => sum + n, 0);
    expect(shown + skipped).toBe(total);
    expect(shown).toBeLessThanOrEqual(options.headChars + 2 * options.tailChars);
  });
});
