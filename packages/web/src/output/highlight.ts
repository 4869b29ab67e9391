import type { Segment } from './ansi.js';

export interface MarkedSegment extends Segment {
  /** Part of a search match. */
  mark: boolean;
}

/** Splits segments where `query` matches (any case), so the matches can be marked. */
export function highlightSegments(segments: readonly Segment[], query: string): MarkedSegment[] {
  if (!query) return segments.map((s) => ({ ...s, mark: false }));
  const plain = segments.map((s) => s.text).join('');
  const lower = plain.toLowerCase();
  const needle = query.toLowerCase();
  const ranges: [number, number][] = [];
  for (let at = lower.indexOf(needle); at >= 0; at = lower.indexOf(needle, at + needle.length)) {
    ranges.push([at, at + needle.length]);
  }
  if (ranges.length === 0) return segments.map((s) => ({ ...s, mark: false }));
  const out: MarkedSegment[] = [];
  let offset = 0;
  for (const segment of segments) {
    const end = offset + segment.text.length;
    let cursor = offset;
    for (const [from, to] of ranges) {
      if (to <= cursor || from >= end) continue;
      if (from > cursor) out.push(piece(segment, offset, cursor, from, false));
      const stop = Math.min(to, end);
      out.push(piece(segment, offset, Math.max(from, cursor), stop, true));
      cursor = stop;
    }
    if (cursor < end) out.push(piece(segment, offset, cursor, end, false));
    offset = end;
  }
  return out;
}

function piece(
  segment: Segment,
  segmentStart: number,
  from: number,
  to: number,
  mark: boolean,
): MarkedSegment {
  return {
    text: segment.text.slice(from - segmentStart, to - segmentStart),
    style: segment.style,
    mark,
  };
}
