import { useEffect, useState, type FormEvent } from 'react';
import {
  Alert,
  Box,
  Button,
  Card,
  CardContent,
  Chip,
  LinearProgress,
  Table,
  TableBody,
  TableCell,
  TableHead,
  TablePagination,
  TableRow,
  TextField,
  Typography,
} from '@mui/material';
import SearchIcon from '@mui/icons-material/Search';
import { Title } from 'react-admin';
import { Link, useSearchParams } from 'react-router-dom';
import { OnlineChip } from '../agents/online-chip.js';
import { FactPathOverview } from './fact-path-overview.js';
import type { FactSearchPage } from '@minke/contract';
import { asText, shorten } from '../data/value-text.js';
import { useApiQuery } from './use-api-query.js';

/**
 * Expressions a new user can start from (a click puts one in the box): the demo's `os-release`
 * plugin answers the first three, so they find hosts on a first install with an agent.
 */
const WHERE_EXAMPLES = [
  'facts.os-release.ID = debian',
  'facts.os-release.VERSION_ID >= 12',
  'facts.os-release exists',
  'facts.packages ~ nginx',
  'facts.os-release.ID = debian and groups.name = web',
];

/**
 * Fleet fact search: hosts whose facts match a `--where` expression, with the values of the
 * fact paths it names. The expression lives in the address (`#/fact-search?where=...`), so a
 * search can be bookmarked and shared.
 */
export function FactSearchPage() {
  const [params, setParams] = useSearchParams();
  const where = params.get('where') ?? '';
  const [text, setText] = useState(where);
  // the address changed (back button, a link): show its expression
  useEffect(() => setText(where), [where]);
  const [page, setPage] = useState(0);
  const [perPage, setPerPage] = useState(25);
  const result = useApiQuery<FactSearchPage>(where.trim() === '' ? null : '/api/facts', {
    where,
    limit: perPage,
    offset: page * perPage,
  });

  const search = (expression: string) => {
    setText(expression);
    setPage(0);
    setParams(expression.trim() === '' ? {} : { where: expression });
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    search(text);
  };

  return (
    <Card sx={{ mt: 2 }}>
      <Title title="Fact search" />
      <CardContent>
        <Box component="form" onSubmit={submit} sx={{ display: 'flex', gap: 1, mb: 1 }}>
          <TextField
            label="Where"
            value={text}
            onChange={(event) => setText(event.target.value)}
            placeholder='facts.os.release = "12"'
            fullWidth
            size="small"
            slotProps={{ htmlInput: { 'data-testid': 'fact-where', spellCheck: false } }}
            helperText="= != < <= > >= ~ (contains) ^= (starts with) in (a, b) exists, is null; and, or, not, ( )"
          />
          <Button type="submit" variant="contained" startIcon={<SearchIcon />}>
            Search
          </Button>
        </Box>
        <Box sx={{ display: 'flex', gap: 1, flexWrap: 'wrap', mb: 2, alignItems: 'center' }}>
          <Typography variant="caption" color="text.secondary">
            Examples:
          </Typography>
          {WHERE_EXAMPLES.map((example) => (
            <Chip
              key={example}
              size="small"
              variant="outlined"
              label={<code>{example}</code>}
              onClick={() => search(example)}
            />
          ))}
        </Box>
        {result.loading ? <LinearProgress /> : null}
        {result.error ? <Alert severity="error">{result.error}</Alert> : null}
        {where.trim() !== '' && result.data && !result.error ? (
          <Results
            data={result.data}
            page={page}
            perPage={perPage}
            onPage={setPage}
            onPerPage={(size) => {
              setPerPage(size);
              setPage(0);
            }}
          />
        ) : null}
        {where.trim() !== '' && result.data && !result.error ? (
          <FactPathOverview paths={result.data.paths} />
        ) : null}
      </CardContent>
    </Card>
  );
}

function Results({
  data,
  page,
  perPage,
  onPage,
  onPerPage,
}: {
  data: FactSearchPage;
  page: number;
  perPage: number;
  onPage: (page: number) => void;
  onPerPage: (size: number) => void;
}) {
  if (data.total === 0) return <Typography variant="body2">No host matches.</Typography>;
  return (
    <Box sx={{ overflowX: 'auto' }}>
      <Table size="small" data-testid="fact-results">
        <TableHead>
          <TableRow>
            <TableCell>Host</TableCell>
            <TableCell>Agent</TableCell>
            {data.paths.map((path) => (
              <TableCell key={path}>{path}</TableCell>
            ))}
          </TableRow>
        </TableHead>
        <TableBody>
          {data.items.map((hit) => (
            <TableRow key={hit.hostId} data-host={hit.host}>
              <TableCell>
                <Link to={`/Host/${hit.hostId}/show/facts`}>{hit.host}</Link>
              </TableCell>
              <TableCell>
                {hit.node === null ? (
                  <Typography variant="caption" color="text.secondary">
                    no agent
                  </Typography>
                ) : (
                  <Box sx={{ display: 'flex', gap: 1, alignItems: 'center' }}>
                    {hit.node}
                    <OnlineChip online={hit.online === true} />
                  </Box>
                )}
              </TableCell>
              {data.paths.map((path) => (
                <TableCell key={path} sx={{ fontFamily: 'monospace' }} data-path={path}>
                  {shown(hit.values[path])}
                </TableCell>
              ))}
            </TableRow>
          ))}
        </TableBody>
      </Table>
      <TablePagination
        component="div"
        count={data.total}
        page={page}
        rowsPerPage={perPage}
        rowsPerPageOptions={[10, 25, 50, 100]}
        onPageChange={(_event, next) => onPage(next)}
        onRowsPerPageChange={(event) => onPerPage(Number(event.target.value))}
      />
    </Box>
  );
}

/** Strings as they are, anything else as JSON (shortened); a missing fact as a dash. */
function shown(value: unknown): string {
  if (value === null || value === undefined) return '—';
  return shorten(asText(value), 120);
}
