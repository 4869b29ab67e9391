import {
  useCallback,
  useDeferredValue,
  useEffect,
  useLayoutEffect,
  useMemo,
  useRef,
  useState,
} from 'react';
import { flushSync } from 'react-dom';
import { Box } from '@mui/material';
import type { OutputBuffer } from './output-buffer.js';
import { COLORS, OUTPUT_ROW_SX, OutputRow, ROW_HEIGHT } from './output-row.js';
import { OutputToolbar } from './output-toolbar.js';
import { isAtBottom, scrollTopFor, visibleRange } from './virtual-window.js';

export { ROW_HEIGHT } from './output-row.js';

const rowAt = (scrollTop: number) => Math.floor(scrollTop / ROW_HEIGHT);

export interface OutputViewProps {
  buffer: OutputBuffer;
  /** The buffer's version when the parent rendered: a change re-renders the view. */
  version: number;
  height?: number;
  /** Follow the end as lines arrive (turned off by scrolling up, on by scrolling to the end). */
  follow?: boolean;
  emptyText?: string;
}

/**
 * Command output with ANSI colours, follow mode and search. Only the lines on screen (plus a
 * few) are in the DOM, whatever the buffer holds: 40,000 lines cost as much as 40.
 */
export function OutputView({
  buffer,
  version,
  height = 320,
  follow: followInitially = true,
  emptyText = 'No output yet.',
}: OutputViewProps) {
  const viewport = useRef<HTMLDivElement>(null);
  // the first row in view: scrolling within a row renders nothing
  const [firstRow, setFirstRow] = useState(0);
  const [follow, setFollow] = useState(followInitially);
  const [query, setQuery] = useState('');
  const deferredQuery = useDeferredValue(query);
  const [current, setCurrent] = useState(0);
  const programmatic = useRef(false);
  const count = buffer.length;
  // short output takes little room; long output scrolls inside `height`
  const viewportHeight = Math.min(height, Math.max(count, 3) * ROW_HEIGHT + 2);

  const matches = useMemo(
    () => (deferredQuery ? buffer.search(deferredQuery) : []),
    // the buffer mutates in place: its version says when to search again
    [buffer, deferredQuery, version],
  );

  const scrollTo = useCallback((top: number) => {
    const el = viewport.current;
    if (!el) return;
    programmatic.current = true;
    el.scrollTop = top;
    setFirstRow(rowAt(el.scrollTop));
  }, []);

  // follow mode: stay at the end as lines arrive
  useLayoutEffect(() => {
    const el = viewport.current;
    if (follow && el) scrollTo(el.scrollHeight);
  }, [follow, version, count, scrollTo]);

  const onScroll = () => {
    const el = viewport.current;
    if (!el) return;
    // Chromium fires scroll once per frame, before the frame's paint: rendering the rows for
    // the new position now (not in a later task, as React would) paints them in this frame,
    // where a deferred render left the view blank for a frame beyond its overscan.
    // Read the box before rendering: reading it after would force a layout of the new rows
    // here, on top of the frame's own.
    const { scrollTop, clientHeight, scrollHeight } = el;
    const row = rowAt(scrollTop);
    if (row !== firstRow) flushSync(() => setFirstRow(row));
    if (programmatic.current) {
      programmatic.current = false;
      return;
    }
    const atBottom = isAtBottom(scrollTop, clientHeight, scrollHeight, ROW_HEIGHT / 2);
    if (atBottom !== follow) setFollow(atBottom);
  };

  // stable between searches, so the (memoized) toolbar does not re-render as the view scrolls
  const goTo = useCallback(
    (which: number) => {
      if (matches.length === 0) return;
      const index = ((which % matches.length) + matches.length) % matches.length;
      setCurrent(index);
      setFollow(false);
      const line = matches[index] ?? 0;
      const el = viewport.current;
      if (el) scrollTo(scrollTopFor(line, el.scrollTop, el.clientHeight, ROW_HEIGHT));
    },
    [matches, scrollTo],
  );

  useEffect(() => setCurrent(0), [deferredQuery]);

  const range = visibleRange({
    scrollTop: firstRow * ROW_HEIGHT,
    viewportHeight,
    rowHeight: ROW_HEIGHT,
    count,
    overscan: 10,
  });
  const currentLine = matches[current];
  const rows = [];
  for (let i = range.start; i < range.end; i++) {
    const line = buffer.line(i);
    if (line)
      rows.push(
        <OutputRow
          key={i}
          index={i}
          line={line}
          query={deferredQuery}
          current={i === currentLine}
          version={i >= count - 2 ? version : 0}
        />,
      );
  }

  return (
    <Box
      data-testid="output-view"
      sx={{ border: '1px solid #333', borderRadius: 1, ...OUTPUT_ROW_SX }}
    >
      <OutputToolbar
        query={query}
        onQuery={setQuery}
        searched={deferredQuery}
        matches={matches.length}
        current={current}
        onGo={goTo}
        lines={count}
        dropped={buffer.dropped}
        follow={follow}
        onFollow={setFollow}
      />
      <div
        ref={viewport}
        onScroll={onScroll}
        data-testid="output-viewport"
        style={{
          height: viewportHeight,
          overflow: 'auto',
          position: 'relative',
          background: COLORS.bg,
          color: COLORS.fg,
          fontFamily:
            'ui-monospace, SFMono-Regular, Menlo, Consolas, "DejaVu Sans Mono", monospace',
          fontSize: 12,
          lineHeight: `${ROW_HEIGHT}px`,
          // what changes inside (rows, their widths) never lays out or restyles the page around
          contain: 'strict',
        }}
      >
        {count === 0 ? (
          <div style={{ padding: '4px 8px', color: '#8b93a1' }}>{emptyText}</div>
        ) : (
          <div style={{ height: range.totalHeight, position: 'relative', minWidth: '100%' }}>
            <div
              style={{
                position: 'absolute',
                top: range.offsetTop,
                left: 0,
                minWidth: '100%',
              }}
            >
              {rows}
            </div>
          </div>
        )}
      </div>
    </Box>
  );
}
