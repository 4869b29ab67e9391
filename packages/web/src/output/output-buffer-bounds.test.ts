import { describe, expect, it } from 'vitest';
import { OutputBuffer } from './output-buffer.js';

describe('OutputBuffer memory bounds', () => {
  it('cuts a line that never ends, and says how much it cut', () => {
    const buffer = new OutputBuffer({ maxLineChars: 100 });
    for (let i = 0; i < 1000; i++) buffer.append('x'.repeat(1000));
    buffer.append('\nnext\n');
    expect(buffer.length).toBe(2);
    expect(buffer.line(0)?.plain).toBe(
      `${'x'.repeat(100)} [… 999,900 more characters of this line cut]`,
    );
    expect(buffer.line(1)?.plain).toBe('next');
  });

  it('keeps at most maxLines lines and counts the earlier ones it dropped', () => {
    const buffer = new OutputBuffer({ maxLines: 1000 });
    for (let i = 0; i < 300; i++)
      buffer.append(Array.from({ length: 1000 }, (_, j) => `${i * 1000 + j}`).join('\n') + '\n');
    expect(buffer.length).toBeLessThanOrEqual(1000);
    expect(buffer.dropped + buffer.length).toBe(300_000);
    expect(buffer.line(buffer.length - 1)?.plain).toBe('299999');
  });
});
