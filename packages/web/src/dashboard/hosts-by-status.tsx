import { Box, Chip } from '@mui/material';
import type { Page } from '@minke/contract';
import { Link } from 'react-router-dom';
import { OUTCOME_COLORS } from './outcome-colors.js';
import { filteredList, useApi } from './use-api.js';

function HostCount({ status }: { status?: 'success' | 'warning' | 'error' }) {
  const page = useApi<Page<unknown>>('/api/records/Host', {
    limit: 1,
    ...(status ? { lastStatus: status } : {}),
  });
  return <>{page === undefined ? '…' : page === null ? '?' : page.total}</>;
}

/** Hosts by the result of their last session; each count opens the filtered host list. */
export function HostsByStatus() {
  return (
    <Box sx={{ display: 'flex', gap: 1, flexWrap: 'wrap' }}>
      <Chip
        component={Link}
        to="/Host"
        clickable
        label={
          <>
            all <HostCount />
          </>
        }
      />
      {(['success', 'warning', 'error'] as const).map((status) => (
        <Chip
          key={status}
          component={Link}
          to={filteredList('Host', { lastStatus: status })}
          clickable
          sx={{ bgcolor: OUTCOME_COLORS[status], color: '#111' }}
          data-testid={`hosts-${status}`}
          label={
            <>
              {status} <HostCount status={status} />
            </>
          }
        />
      ))}
    </Box>
  );
}
