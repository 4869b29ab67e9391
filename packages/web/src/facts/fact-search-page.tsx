import { useEffect, useMemo, useState, type FormEvent } from 'react';
import {
  Alert,
  Box,
  Button,
  Card,
  CardContent,
  Chip,
  LinearProgress,
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
import { ApiTable, usePaging, type ApiColumn, type ApiPaging } from '../layout/api-table.js';
import { MissingLink } from '../layout/missing-link.js';
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
  const paging = usePaging();
  const result = useApiQuery<FactSearchPage>(where.trim() === '' ? null : '/api/facts', {
    where,
    ...paging.query,
  });

  const search = (expression: string) => {
    setText(expression);
    paging.restart();
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
          <Results data={result.data} paging={paging.of(result.data.total)} />
        ) : null}
        {where.trim() !== '' && result.data && !result.error ? (
          <FactPathOverview paths={result.data.paths} />
        ) : null}
      </CardContent>
    </Card>
  );
}

type FactHit = FactSearchPage['items'][number];

/** Host and agent, then a column per fact path the expression names. */
function resultColumns(paths: readonly string[]): ApiColumn<FactHit>[] {
  return [
    {
      label: 'Host',
      cell: (hit) => <Link to={`/Host/${hit.hostId}/show/facts`}>{hit.host}</Link>,
    },
    {
      label: 'Agent',
      cell: (hit) =>
        hit.node === null ? (
          <MissingLink>no agent</MissingLink>
        ) : (
          <Box sx={{ display: 'flex', gap: 1, alignItems: 'center' }}>
            {hit.node}
            <OnlineChip online={hit.online === true} />
          </Box>
        ),
    },
    ...paths.map((path): ApiColumn<FactHit> => ({
      label: path,
      cell: (hit) => shown(hit.values[path]),
      sx: { fontFamily: 'monospace' },
      cellData: { 'data-path': path },
    })),
  ];
}

function Results({ data, paging }: { data: FactSearchPage; paging: ApiPaging }) {
  const columns = useMemo(() => resultColumns(data.paths), [data.paths]);
  if (data.total === 0) return <Typography variant="body2">No host matches.</Typography>;
  return (
    <ApiTable
      rows={data.items}
      columns={columns}
      rowKey={(hit) => hit.hostId}
      rowData={(hit) => ({ 'data-host': hit.host })}
      testId="fact-results"
      paging={paging}
    />
  );
}

/** Strings as they are, anything else as JSON (shortened); a missing fact as a dash. */
function shown(value: unknown): string {
  if (value === null || value === undefined) return '—';
  return shorten(asText(value), 120);
}
