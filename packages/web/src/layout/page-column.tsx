import type { ReactNode } from 'react';
import { Box } from '@mui/material';

/** A page's cards one under the other, spaced as every hand-written page spaces them. */
export function PageColumn({ children, testId }: { children: ReactNode; testId?: string }) {
  return (
    <Box sx={{ mt: 2, display: 'flex', flexDirection: 'column', gap: 2 }} data-testid={testId}>
      {children}
    </Box>
  );
}
