import {
  memo,
  useCallback,
  useDeferredValue,
  useEffect,
  useLayoutEffect,
  useMemo,
  useRef,
  useState,
  type CSSProperties,
} from 'react';
import { Box, Checkbox, FormControlLabel, IconButton, TextField, Tooltip } from '@mui/material';
import KeyboardArrowDownIcon from '@mui/icons-material/KeyboardArrowDown';
import KeyboardArrowUpIcon from '@mui/icons-material/KeyboardArrowUp';
import { styleToCss } from './ansi.js';
import { highlightSegments } from './highlight.js';
import type { OutputBuffer, OutputLine } from './output-buffer.js';
import { isAtBottom, scrollTopFor, visibleRange } from './virtual-window.js';

export const ROW_HEIGHT = 18;
const COLORS = { fg: '#d7dae0', bg: '#1e2127' };

const KIND_STYLE: Record<OutputLine['kind'], CSSProperties> = {
  stdout: {},
  stderr: { color: '#ff9e9b' },
  command: { color: '#8ec7ff', fontWeight: 'bold' },
  status: { color: '#8b93a1' },
  message: { color: '#e5c15a' },
};

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
  const [scrollTop, setScrollTop] = useState(0);
  const [follow, setFollow] = useState(followInitially);
  const [query, setQuery] = useState('');
  const deferredQuery = useDeferredValue(query);
  const [current, setCurrent] = useState(0);
  const frame = useRef<number | undefined>(undefined);
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
    setScrollTop(el.scrollTop);
  }, []);

  // follow mode: stay at the end as lines arrive
  useLayoutEffect(() => {
    const el = viewport.current;
    if (follow && el) scrollTo(el.scrollHeight);
  }, [follow, version, count, scrollTo]);

  useEffect(
    () => () => {
      if (frame.current !== undefined) cancelAnimationFrame(frame.current);
    },
    [],
  );

  const onScroll = () => {
    const el = viewport.current;
    if (!el) return;
    if (frame.current === undefined) {
      frame.current = requestAnimationFrame(() => {
        frame.current = undefined;
        setScrollTop(el.scrollTop);
      });
    }
    if (programmatic.current) {
      programmatic.current = false;
      return;
    }
    setFollow(isAtBottom(el.scrollTop, el.clientHeight, el.scrollHeight, ROW_HEIGHT / 2));
  };

  const goTo = (which: number) => {
    if (matches.length === 0) return;
    const index = ((which % matches.length) + matches.length) % matches.length;
    setCurrent(index);
    setFollow(false);
    const line = matches[index] ?? 0;
    const el = viewport.current;
    if (el) scrollTo(scrollTopFor(line, el.scrollTop, el.clientHeight, ROW_HEIGHT));
  };

  useEffect(() => setCurrent(0), [deferredQuery]);

  const range = visibleRange({
    scrollTop,
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
    <Box data-testid="output-view" sx={{ border: '1px solid #333', borderRadius: 1 }}>
      <Box
        sx={{
          display: 'flex',
          alignItems: 'center',
          gap: 1,
          px: 1,
          py: 0.5,
          bgcolor: '#2a2e35',
          color: '#c8ccd4',
          fontSize: 12,
        }}
      >
        <TextField
          size="small"
          variant="standard"
          placeholder="Search output"
          value={query}
          onChange={(e) => setQuery(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter') goTo(e.shiftKey ? current - 1 : current + 1);
          }}
          slotProps={{
            htmlInput: { 'aria-label': 'Search output', 'data-testid': 'output-search' },
            input: { sx: { color: '#e6e6e6', fontSize: 12 } },
          }}
          sx={{ width: 200 }}
        />
        <span data-testid="output-matches">
          {deferredQuery ? `${matches.length ? current + 1 : 0}/${matches.length}` : ''}
        </span>
        <Tooltip title="Previous match (Shift+Enter)">
          <span>
            <IconButton
              size="small"
              sx={{ color: 'inherit' }}
              disabled={!matches.length}
              onClick={() => goTo(current - 1)}
              aria-label="Previous match"
            >
              <KeyboardArrowUpIcon fontSize="small" />
            </IconButton>
          </span>
        </Tooltip>
        <Tooltip title="Next match (Enter)">
          <span>
            <IconButton
              size="small"
              sx={{ color: 'inherit' }}
              disabled={!matches.length}
              onClick={() => goTo(current + 1)}
              aria-label="Next match"
            >
              <KeyboardArrowDownIcon fontSize="small" />
            </IconButton>
          </span>
        </Tooltip>
        <Box sx={{ flex: 1 }} />
        <span data-testid="output-count">
          {count.toLocaleString('en')} lines
          {buffer.dropped ? ` (${buffer.dropped.toLocaleString('en')} earlier dropped)` : ''}
        </span>
        <FormControlLabel
          sx={{ mr: 0, '& .MuiFormControlLabel-label': { fontSize: 12 } }}
          control={
            <Checkbox
              size="small"
              sx={{ color: 'inherit', p: 0.5 }}
              checked={follow}
              onChange={(e) => setFollow(e.target.checked)}
              slotProps={{ input: { 'aria-label': 'Follow output' } }}
            />
          }
          label="Follow"
        />
      </Box>
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

interface OutputRowProps {
  index: number;
  line: OutputLine;
  query: string;
  current: boolean;
  /** Changes only for the unfinished last lines, which grow in place. */
  version: number;
}

const OutputRow = memo(function OutputRow({ index, line, query, current }: OutputRowProps) {
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
