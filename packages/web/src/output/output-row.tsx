import { memo } from 'react';
import { styleToCss } from './ansi.js';
import { highlightSegments } from './highlight.js';
import type { OutputLine } from './output-buffer.js';

export const ROW_HEIGHT = 18;
export const COLORS = { fg: '#d7dae0', bg: '#1e2127' };

/**
 * How rows look, set once on the view (`sx`) rather than as inline styles on every row: while
 * scrolling fast each frame mounts a few dozen new rows, and inline styles are set property by
 * property on each of them.
 */
export const OUTPUT_ROW_SX = {
  '& .minke-output-line': { height: ROW_HEIGHT, whiteSpace: 'pre', padding: '0 8px' },
  '& .minke-output-line[data-kind="stderr"]': { color: '#ff9e9b' },
  '& .minke-output-line[data-kind="command"]': { color: '#8ec7ff', fontWeight: 'bold' },
  '& .minke-output-line[data-kind="status"]': { color: '#8b93a1' },
  '& .minke-output-line[data-kind="message"]': { color: '#e5c15a' },
  '& .minke-output-line[data-current]': { background: '#3a3f4b' },
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
      data-kind={line.kind}
      data-current={current ? '' : undefined}
      className="minke-output-line"
    >
      {segments.map((segment, i) => {
        const css = styleToCss(segment.style, COLORS);
        // plain text needs no element of its own: most lines are one plain segment
        if (!segment.mark && Object.keys(css).length === 0) return segment.text;
        const style = segment.mark ? { ...css, background: '#e5c15a', color: '#1e2127' } : css;
        return (
          <span key={i} style={style}>
            {segment.text}
          </span>
        );
      })}
      {segments.length === 0 ? '\u200b' : null}
    </div>
  );
});
