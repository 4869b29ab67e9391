import { useState } from 'react';
import {
  Alert,
  Box,
  Button,
  Card,
  CardContent,
  LinearProgress,
  TablePagination,
  Tooltip,
  Typography,
} from '@mui/material';
import { DIFF_COLORS, DIFF_EDGES, DIFF_SIGNS, pathText } from './diff-colors.js';
import { JsonTree } from './json-tree.js';
import { timeAgo } from './relative-time.js';
import type {
  ChangeKind,
  FactChange,
  FactHistoryPage,
  FactVersion,
  NodeFactHistoryPage,
} from '@minke/contract';
import { shorten } from '../data/value-text.js';
import { FIRST_PAGE, currentCursor, movedTo, pageIndex } from './keyset-pages.js';
import { useApiQuery } from './use-api-query.js';

/**
 * A plugin's fact on a host or a node, version by version (newest first), each with its diff;
 * `factsPath` is the API path of those facts (`/api/hosts/NAME/facts`, `/api/agents/NODE/facts`).
 * Paged by cursor, so that a history of years of hourly versions can be read to its first.
 */
export function FactHistory({ factsPath, plugin }: { factsPath: string; plugin: string }) {
  const [pages, setPages] = useState(FIRST_PAGE);
  const [perPage, setPerPage] = useState(10);
  const before = currentCursor(pages);
  const history = useApiQuery<FactHistoryPage | NodeFactHistoryPage>(`${factsPath}/history`, {
    plugin,
    limit: perPage,
    ...(before === undefined ? {} : { before }),
  });
  if (history.error) return <Alert severity="error">{history.error}</Alert>;
  if (!history.data) return <LinearProgress />;
  const { items, total } = history.data;
  if (total === 0) return <Typography variant="body2">No history for {plugin} yet.</Typography>;
  return (
    <Box data-testid="fact-history" data-plugin={plugin}>
      {items.map((version) => (
        <VersionCard key={version.resultId} version={version} />
      ))}
      <TablePagination
        component="div"
        count={total}
        page={pageIndex(pages)}
        rowsPerPage={perPage}
        rowsPerPageOptions={[5, 10, 25, 50]}
        onPageChange={(_event, next) => setPages(movedTo(pages, next, items.at(-1)?.resultId))}
        onRowsPerPageChange={(event) => {
          setPerPage(Number(event.target.value));
          setPages(FIRST_PAGE);
        }}
      />
    </Box>
  );
}

function VersionCard({ version }: { version: FactVersion }) {
  const [showValue, setShowValue] = useState(false);
  const highlights = new Map<string, ChangeKind>(
    (version.changes ?? [])
      .filter((change) => change.kind !== 'removed')
      .map((change) => [pathText(change.path), change.kind]),
  );
  return (
    <Card variant="outlined" sx={{ mb: 1 }} data-testid="fact-version">
      <CardContent sx={{ py: 1, '&:last-child': { pb: 1 } }}>
        <Box sx={{ display: 'flex', gap: 2, alignItems: 'baseline', flexWrap: 'wrap' }}>
          <Tooltip title={new Date(version.collectedAt).toLocaleString()}>
            <Typography variant="subtitle2">collected {timeAgo(version.collectedAt)}</Typography>
          </Tooltip>
          <Typography variant="caption" color="text.secondary">
            {version.requestId ? `request ${version.requestId}` : 'on its own schedule'}
          </Typography>
          <Button size="small" onClick={() => setShowValue((shown) => !shown)}>
            {showValue ? 'Hide value' : 'Show value'}
          </Button>
        </Box>
        {version.changes === null ? (
          <Typography variant="body2" color="text.secondary">
            First version.
          </Typography>
        ) : (
          <Changes changes={version.changes} />
        )}
        {showValue ? <JsonTree value={version.value} highlights={highlights} /> : null}
      </CardContent>
    </Card>
  );
}

/** One line per change: `+ path: value` green, `− path: value` red, `~ path: old → new` amber. */
function Changes({ changes }: { changes: FactChange[] }) {
  return (
    <Box sx={{ fontFamily: 'monospace', fontSize: 13 }} data-testid="fact-changes">
      {changes.map((change) => (
        <Box
          key={`${change.kind} ${pathText(change.path)}`}
          data-change={change.kind}
          data-path={pathText(change.path)}
          sx={{
            backgroundColor: DIFF_COLORS[change.kind],
            borderLeft: `3px solid ${DIFF_EDGES[change.kind]}`,
            px: 1,
            my: 0.25,
            whiteSpace: 'pre-wrap',
            wordBreak: 'break-word',
          }}
        >
          {`${DIFF_SIGNS[change.kind]} ${pathText(change.path)}: ${describe(change)}`}
        </Box>
      ))}
    </Box>
  );
}

function describe(change: FactChange): string {
  switch (change.kind) {
    case 'added':
      return short(change.after);
    case 'removed':
      return short(change.before);
    case 'changed':
      return `${short(change.before)} → ${short(change.after)}`;
  }
}

function short(value: unknown): string {
  return shorten(JSON.stringify(value) ?? 'undefined', 200);
}
