import { memo } from 'react';
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
      <Tooltip title="Previous match (Shift+Enter)">
        <span>
          <IconButton
            size="small"
            sx={{ color: 'inherit' }}
            disabled={!matches}
            onClick={() => onGo(current - 1)}
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
            disabled={!matches}
            onClick={() => onGo(current + 1)}
            aria-label="Next match"
          >
            <KeyboardArrowDownIcon fontSize="small" />
          </IconButton>
        </span>
      </Tooltip>
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
