import { memo, type CSSProperties } from 'react';
import { styleToCss } from './ansi.js';
import { highlightSegments } from './highlight.js';
import type { OutputLine } from './output-buffer.js';

export const ROW_HEIGHT = 18;
export const COLORS = { fg: '#d7dae0', bg: '#1e2127' };

const KIND_STYLE: Record<OutputLine['kind'], CSSProperties> = {
  stdout: {},
  stderr: { color: '#ff9e9b' },
  command: { color: '#8ec7ff', fontWeight: 'bold' },
  status: { color: '#8b93a1' },
  message: { color: '#e5c15a' },
};

export interface OutputRowProps {
  index: number;
  line: OutputLine;
  query: string;
  current: boolean;
  /** Changes only for the unfinished last lines, which grow in place. */
  version: number;
}

export const OutputRow = memo(function OutputRow({ index, line, query, current }: OutputRowProps) {
  const segments = highlightSegments(line.segments, query);
  return (
    <div
      data-line={index}
      className="minke-output-line"
      style={{
        height: ROW_HEIGHT,
        whiteSpace: 'pre',
        padding: '0 8px',
        ...KIND_STYLE[line.kind],
        ...(current ? { background: '#3a3f4b' } : {}),
      }}
    >
      {segments.map((segment, i) => (
        <span
          key={i}
          style={{
            ...styleToCss(segment.style, COLORS),
            ...(segment.mark ? { background: '#e5c15a', color: '#1e2127' } : {}),
          }}
        >
          {segment.text}
        </span>
      ))}
      {segments.length === 0 ? '\u200b' : null}
    </div>
  );
});
