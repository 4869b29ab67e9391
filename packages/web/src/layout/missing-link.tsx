import type { ReactNode } from 'react';
import { Typography } from '@mui/material';

/**
 * What a table cell shows for a link its row does not have (an agent without a host, a host
 * without an agent): small and grey, so that it does not read as a name.
 */
export function MissingLink({ children }: { children: ReactNode }) {
  return (
    <Typography variant="caption" color="text.secondary">
      {children}
    </Typography>
  );
}
