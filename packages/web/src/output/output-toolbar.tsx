import { memo, type ReactNode } from 'react';
import { Box, Checkbox, FormControlLabel, IconButton, TextField, Tooltip } from '@mui/material';
import KeyboardArrowDownIcon from '@mui/icons-material/KeyboardArrowDown';
import KeyboardArrowUpIcon from '@mui/icons-material/KeyboardArrowUp';

export interface OutputToolbarProps {
  query: string;
  onQuery: (query: string) => void;
  /** The search shown (deferred while typing): the match counter speaks of it. */
  searched: string;
  matches: number;
  current: number;
  onGo: (index: number) => void;
  lines: number;
  /** Lines the view let go of from the start (it keeps a bounded number). */
  dropped: number;
  follow: boolean;
  onFollow: (follow: boolean) => void;
}

/** A step to the previous or next match; its tooltip names the key that does the same. */
function MatchButton({
  label,
  keys,
  disabled,
  onClick,
  children,
}: {
  label: string;
  keys: string;
  disabled: boolean;
  onClick: () => void;
  children: ReactNode;
}) {
  return (
    <Tooltip title={`${label} (${keys})`}>
      {/* a disabled button fires no events: the span carries the tooltip */}
      <span>
        <IconButton
          size="small"
          sx={{ color: 'inherit' }}
          disabled={disabled}
          onClick={onClick}
          aria-label={label}
        >
          {children}
        </IconButton>
      </span>
    </Tooltip>
  );
}

/**
 * Above the output: search with previous/next, the line count, and follow mode. Memoized: the
 * view re-renders on every row scrolled, the toolbar (Material UI, costly) only when its props
 * change.
 */
export const OutputToolbar = memo(function OutputToolbar(props: OutputToolbarProps) {
  const { matches, current, onGo } = props;
  return (
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
        value={props.query}
        onChange={(e) => props.onQuery(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter') onGo(e.shiftKey ? current - 1 : current + 1);
        }}
        slotProps={{
          htmlInput: { 'aria-label': 'Search output', 'data-testid': 'output-search' },
          input: { sx: { color: '#e6e6e6', fontSize: 12 } },
        }}
        sx={{ width: 200 }}
      />
      <span data-testid="output-matches">
        {props.searched ? `${matches ? current + 1 : 0}/${matches}` : ''}
      </span>
      <MatchButton
        label="Previous match"
        keys="Shift+Enter"
        disabled={!matches}
        onClick={() => onGo(current - 1)}
      >
        <KeyboardArrowUpIcon fontSize="small" />
      </MatchButton>
      <MatchButton
        label="Next match"
        keys="Enter"
        disabled={!matches}
        onClick={() => onGo(current + 1)}
      >
        <KeyboardArrowDownIcon fontSize="small" />
      </MatchButton>
      <Box sx={{ flex: 1 }} />
      <span data-testid="output-count">
        {props.lines.toLocaleString('en')} lines
        {props.dropped
          ? ` (the first ${props.dropped.toLocaleString('en')} are no longer shown here)`
          : ''}
      </span>
      <FormControlLabel
        sx={{ mr: 0, '& .MuiFormControlLabel-label': { fontSize: 12 } }}
        control={
          <Checkbox
            size="small"
            sx={{ color: 'inherit', p: 0.5 }}
            checked={props.follow}
            onChange={(e) => props.onFollow(e.target.checked)}
            slotProps={{ input: { 'aria-label': 'Follow output' } }}
          />
        }
        label="Follow"
      />
    </Box>
  );
});
