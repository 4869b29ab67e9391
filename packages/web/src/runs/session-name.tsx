import { Box } from '@mui/material';

/**
 * A session as every page names it: its verbose name, with the class name beside it in grey
 * (only when they differ), so "Disk usage" and `DiskUsage` are recognisably one session.
 */
export function SessionName({ name, verboseName }: { name: string; verboseName?: string | null }) {
  const shown = verboseName || name;
  return (
    <Box component="span" className="minke-session-name" data-session-name={name}>
      {shown}
      {shown !== name ? (
        <Box
          component="span"
          sx={{ ml: 0.75, color: 'text.secondary', fontSize: '0.85em' }}
          className="minke-session-class"
        >
          {name}
        </Box>
      ) : null}
    </Box>
  );
}
