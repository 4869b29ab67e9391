import { describe, expect, it } from 'vitest';
import { CommandOutput } from './command-output.js';
import type { OutputSpill } from './output-cut.js';

/** A spill that keeps what it gets in memory, and can pretend to be slow or broken. */
function memorySpill(options: { slow?: boolean; failWith?: string } = {}) {
  const written: string[] = [];
  const drains: (() => void)[] = [];
  const spill: OutputSpill & { written: string[]; drain(): void } = {
    written,
    write: (text) => {
      written.push(text);
      return !options.slow;
    },
    onDrain: (listener) => void drains.push(listener),
    end: () =>
      options.failWith ? Promise.reject(new Error(options.failWith)) : Promise.resolve('key-1'),
    drain: () => drains.splice(0).forEach((listener) => listener()),
  };
  return spill;
}

const lines = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => `${from + i}\n`).join('');

describe('CommandOutput', () => {
  it('keeps short output whole, with no cut and no spill', async () => {
    const spill = memorySpill();
    const output = new CommandOutput({}, { spill: () => spill });
    output.push('stdout', Buffer.from('grüß'));
    output.push('stdout', Buffer.from('e\n'));
    output.push('stderr', 'oops\n');
    expect(await output.finish()).toEqual({ stdout: 'grüße\n', stderr: 'oops\n' });
    expect(spill.written).toEqual([]);
  });

  it('keeps the head and tail of 300,000 lines, says exactly what it left out, spills all', async () => {
    const spill = memorySpill();
    const output = new CommandOutput(
      {},
      { keep: { headBytes: 1000, tailBytes: 1000 }, spill: () => spill },
    );
    const all = lines(1, 300_000);
    for (let i = 0; i < all.length; i += 65_536)
      output.push('stdout', Buffer.from(all.slice(i, i + 65_536)));
    const { stdout, cut } = await output.finish();
    expect(spill.written.join('')).toBe(all);
    const [head, marker, tail] = splitAtMarker(stdout);
    expect(all.startsWith(head)).toBe(true);
    expect(all.endsWith(tail)).toBe(true);
    expect(head.endsWith('\n') && Buffer.byteLength(head) <= 1000).toBe(true);
    expect(tail.startsWith('29') && Buffer.byteLength(tail) <= 1000).toBe(true);
    const keptLines = head.split('\n').length - 1 + tail.split('\n').length - 1;
    expect(cut?.stdout).toEqual({
      totalBytes: all.length,
      totalLines: 300_000,
      droppedBytes: all.length - head.length - tail.length,
      droppedLines: 300_000 - keptLines,
      stored: 'key-1',
    });
    expect(marker).toBe(
      `[minke: ${(300_000 - keptLines).toLocaleString('en')} lines (${(all.length - head.length - tail.length).toLocaleString('en')} bytes) of stdout left out here; the full stdout is stored with the session record]`,
    );
  });

  it('pauses the command while the spill is behind and resumes it after', async () => {
    const spill = memorySpill({ slow: true });
    const output = new CommandOutput(
      {},
      { keep: { headBytes: 10, tailBytes: 10 }, spill: () => spill },
    );
    const flow: string[] = [];
    output.controlFlow({ pause: () => flow.push('pause'), resume: () => flow.push('resume') });
    output.push('stdout', 'a'.repeat(30));
    output.push('stdout', 'b'.repeat(30));
    expect(flow).toEqual(['pause']);
    spill.drain();
    expect(flow).toEqual(['pause', 'resume']);
    await output.finish();
  });

  it('says so, truthfully, when the full output could not be stored', async () => {
    const output = new CommandOutput(
      {},
      { keep: { headBytes: 4, tailBytes: 4 }, spill: () => memorySpill({ failWith: 'disk full' }) },
    );
    output.push('stderr', lines(1, 100));
    const { stderr, cut } = await output.finish();
    expect(cut?.stderr).toMatchObject({ stored: null, storeError: 'disk full' });
    expect(stderr).toContain(
      'of stderr left out here; the full stderr could not be stored: disk full]',
    );
  });

  it('cuts a line with no end by bytes, never inside a character', async () => {
    const output = new CommandOutput({}, { keep: { headBytes: 5, tailBytes: 5 } });
    output.push('stdout', 'ü'.repeat(100));
    const { stdout, cut } = await output.finish();
    // No line end to cut at: a line break is added before the marker, none is invented after.
    expect(stdout).toBe(
      'üü\n[minke: 0 lines (192 bytes) of stdout left out here; the full stdout could not be stored: no output store for this command]\nüü',
    );
    expect(cut?.stdout).toMatchObject({
      totalBytes: 200,
      droppedBytes: 192,
      totalLines: 1,
      droppedLines: 0,
      stored: null,
    });
  });
});

function splitAtMarker(text: string): [string, string, string] {
  const match = /\n?(\[minke: [^\]]*\])\n/.exec(text);
  if (!match) throw new Error('no marker');
  return [
    text.slice(0, match.index + (match[0].startsWith('\n') ? 1 : 0)),
    match[1] ?? '',
    text.slice(match.index + match[0].length),
  ];
}
