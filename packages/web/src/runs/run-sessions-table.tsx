import { useRef } from 'react';
import { Box, Chip, Stack, TablePagination, Typography } from '@mui/material';
import { Link } from 'react-router-dom';
import {
  OUTCOME_FILTERS,
  sessionOutcome,
  type OutcomeFilter,
  type RunSessionsPage,
} from '@minke/contract';
import { shownPage, SESSIONS_PER_PAGE } from './run-sessions-page.js';
import { OutcomeChip, RESULT_COLORS, StateChip } from './status-chip.js';

const ROW_COLORS: Record<string, string | undefined> = {
  success: RESULT_COLORS.success,
  warning: RESULT_COLORS.warning,
  error: RESULT_COLORS.error,
  stopped: RESULT_COLORS.stopped,
};

const FILTER_LABELS: Record<OutcomeFilter, string> = {
  all: 'all',
  error: 'error',
  warning: 'warning',
  stopped: 'stopped',
  pending: 'waiting or running',
  success: 'success',
};

interface Props {
  /** The page the server sent: its sessions, the counts of each outcome. */
  page: RunSessionsPage;
  show: OutcomeFilter;
  onShow: (filter: OutcomeFilter) => void;
  onPage: (page: number) => void;
}

/**
 * A run's sessions, one row per object, a page of 100 at a time, with a filter by outcome (the
 * failed ones of a 1,000-host run at a click). The server pages and filters.
 */
export function RunSessionsTable({ page, show, onShow, onPage }: Props) {
  const { run, items, counts, total } = page;
  const top = useRef<HTMLDivElement>(null);
  return (
    <>
      <Stack
        ref={top}
        direction="row"
        spacing={0.5}
        sx={{ flexWrap: 'wrap', rowGap: 0.5, mb: 1, scrollMarginTop: 64 }}
      >
        <Typography variant="body2" sx={{ alignSelf: 'center', mr: 0.5 }}>
          Show
        </Typography>
        {OUTCOME_FILTERS.map((filter) =>
          filter === 'all' || filter === show || counts[filter] > 0 ? (
            <Chip
              key={filter}
              size="small"
              clickable
              data-filter={filter}
              color={show === filter ? 'primary' : 'default'}
              variant={show === filter ? 'filled' : 'outlined'}
              label={`${FILTER_LABELS[filter]} ${counts[filter]}`}
              onClick={() => onShow(filter)}
            />
          ) : null,
        )}
      </Stack>
      <Box component="table" sx={{ borderCollapse: 'collapse', width: '100%' }}>
        <thead>
          <Box component="tr" sx={{ '& th': { p: 0.75, textAlign: 'left', fontWeight: 500 } }}>
            <th>Record</th>
            <th>Object</th>
            <th>Host</th>
            <th>State</th>
            <th>Outcome</th>
            <th>Info</th>
          </Box>
        </thead>
        <tbody>
          {items.map((s) => (
            <Box
              component="tr"
              key={s.id}
              data-outcome={sessionOutcome(s.processState, s.result)}
              sx={{
                bgcolor: ROW_COLORS[sessionOutcome(s.processState, s.result)],
                '& td': { p: 0.75, borderBottom: '1px solid #eee' },
              }}
            >
              <td>
                <Link to={`/session-records/${s.id}/show`}>#{s.id}</Link>
              </td>
              <td>
                <Link to={`/${run.model}/${s.objectId}/show`}>{s.objectLabel}</Link>
              </td>
              <td>{s.hostName}</td>
              <td>
                <StateChip state={s.processState} />
              </td>
              <td>
                <OutcomeChip state={s.processState} result={s.result} />
              </td>
              <td>{s.procInfo}</td>
            </Box>
          ))}
        </tbody>
      </Box>
      {total === 0 ? (
        <Typography variant="body2" sx={{ p: 1 }}>
          No {FILTER_LABELS[show]} sessions in this run.
        </Typography>
      ) : null}
      {total > SESSIONS_PER_PAGE ? (
        <TablePagination
          component="div"
          data-testid="run-sessions-pages"
          count={total}
          page={shownPage(page.offset)}
          rowsPerPage={SESSIONS_PER_PAGE}
          rowsPerPageOptions={[SESSIONS_PER_PAGE]}
          onPageChange={(_event, next) => {
            // The next hundred start at the top, as a new page does, not under the pager.
            top.current?.scrollIntoView({ block: 'start' });
            onPage(next);
          }}
        />
      ) : null}
    </>
  );
}
