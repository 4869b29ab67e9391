import type { ReactNode } from 'react';
import {
  List as MuiList,
  ListItemButton,
  ListItemText,
  Typography,
  type SxProps,
  type Theme,
} from '@mui/material';
import { Link } from 'react-router-dom';

/** One line of a dashboard panel's list: two lines of text, the whole line a link. */
export interface LinkItem {
  key: string | number;
  to: string;
  primary: string;
  secondary: string;
  /** Shown under the text (a run's counters). */
  extra?: ReactNode;
}

/**
 * A dashboard panel's list of links (recent runs, failures, failing hosts, slow sessions), or
 * `empty` when there is nothing to list.
 */
export function LinkList({
  items,
  empty,
  testId,
  sx,
}: {
  items: readonly LinkItem[];
  empty: ReactNode;
  /** Each line's `data-testid`. */
  testId: string;
  /** Each line's style. */
  sx?: SxProps<Theme>;
}) {
  if (items.length === 0) {
    return typeof empty === 'string' ? <Typography variant="body2">{empty}</Typography> : empty;
  }
  return (
    <MuiList dense disablePadding>
      {items.map((item) => (
        <ListItemButton
          key={item.key}
          component={Link}
          to={item.to}
          {...(sx ? { sx } : {})}
          data-testid={testId}
        >
          <ListItemText
            primary={item.primary}
            secondary={item.secondary}
            {...(item.extra ? { sx: { my: 0 } } : {})}
          />
          {item.extra}
        </ListItemButton>
      ))}
    </MuiList>
  );
}
