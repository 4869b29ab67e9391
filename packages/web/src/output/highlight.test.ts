import { describe, expect, it } from 'vitest';
import { highlightSegments } from './highlight.js';

describe('highlightSegments', () => {
  it('marks matches across segment borders, keeping styles', () => {
    const out = highlightSegments(
      [
        { text: 'err', style: { fg: 1 } },
        { text: 'or: Error', style: {} },
      ],
      'error',
    );
    expect(out).toEqual([
      { text: 'err', style: { fg: 1 }, mark: true },
      { text: 'or', style: {}, mark: true },
      { text: ': ', style: {}, mark: false },
      { text: 'Error', style: {}, mark: true },
    ]);
  });
  it('leaves lines without a match alone', () => {
    expect(highlightSegments([{ text: 'ok', style: {} }], 'x')).toEqual([
      { text: 'ok', style: {}, mark: false },
    ]);
  });
});
