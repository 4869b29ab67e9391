import { useState, type ReactNode } from 'react';
import { Box, Card, CardContent, Drawer, Fab, useMediaQuery } from '@mui/material';
import FilterListIcon from '@mui/icons-material/FilterList';

/** At this width and below, a list's filter sidebar becomes a drawer. */
export const NARROW_SCREEN = '(max-width: 900px)';

/**
 * A list's filter sidebar: a card beside the list on a wide screen; on a narrow one (≤ 900 px) a
 * drawer opened by a "Filters" button, so the table keeps the width.
 */
export function ResponsiveFilters({ children }: { children: ReactNode }) {
  const narrow = useMediaQuery(NARROW_SCREEN, { noSsr: true });
  const [open, setOpen] = useState(false);
  if (!narrow) {
    return (
      <Card
        sx={{ order: -1, mr: 2, mt: 2, width: 220, flexShrink: 0, alignSelf: 'flex-start' }}
        data-testid="filter-sidebar"
      >
        <CardContent>{children}</CardContent>
      </Card>
    );
  }
  return (
    <>
      <Fab
        variant="extended"
        size="medium"
        color="primary"
        onClick={() => setOpen(true)}
        sx={{ position: 'fixed', left: 16, bottom: 16, zIndex: 1100 }}
        data-testid="filters-button"
      >
        <FilterListIcon sx={{ mr: 1 }} />
        Filters
      </Fab>
      <Drawer anchor="left" open={open} onClose={() => setOpen(false)}>
        <Box sx={{ width: 280, maxWidth: '85vw', p: 2 }} data-testid="filter-drawer">
          {children}
        </Box>
      </Drawer>
    </>
  );
}
