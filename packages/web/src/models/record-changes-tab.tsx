import { Box, Link, Tooltip } from '@mui/material';
import type {
  ChangeKind,
  FieldChange,
  ModelMeta,
  RecordChange,
  RecordChangesPage,
} from '@minke/contract';
import { useRecordContext } from 'react-admin';
import { Link as RouterLink } from 'react-router-dom';
import { asText, shorten } from '../data/value-text.js';
import { DIFF_COLORS, DIFF_EDGES, DIFF_SIGNS } from '../facts/diff-colors.js';
import { timeAgo } from '../facts/relative-time.js';
import { useApiQuery } from '../facts/use-api-query.js';
import { ApiList } from '../layout/api-list-page.js';
import { usePaging, type ApiColumn } from '../layout/api-table.js';

/** A field set where it had no value is added, one emptied removed, else changed. */
function kindOf(change: FieldChange): ChangeKind {
  if (change.before === null) return 'added';
  if (change.after === null) return 'removed';
  return 'changed';
}

/** A value as the changes show it: a ref as a link to what it points at, nothing as —. */
function FieldValue({ value, target }: { value: unknown; target: string | undefined }) {
  if (value === null) return <span>—</span>;
  if (target && typeof value === 'number')
    return (
      // The chip's own dark text, underlined: the theme's link colour is for the page's background.
      <Link component={RouterLink} to={`/${target}/${value}/show`} sx={{ color: 'inherit' }}>
        {target} #{value}
      </Link>
    );
  const text = asText(value);
  return (
    <Tooltip title={text.length > 60 ? text : ''}>
      <span>{shorten(text, 60)}</span>
    </Tooltip>
  );
}

/** Each field a change touched, `field: before → after`, coloured by kind as fact diffs are. */
function FieldChanges({ change, meta }: { change: RecordChange; meta: ModelMeta }) {
  if (change.fields.length === 0) return <span>—</span>;
  return (
    <Box component="ul" sx={{ listStyle: 'none', m: 0, p: 0 }}>
      {change.fields.map((field) => {
        const kind = kindOf(field);
        const target = meta.fields.find((f) => f.name === field.field)?.model;
        return (
          <Box
            component="li"
            key={field.field}
            data-field={field.field}
            data-kind={kind}
            sx={{
              backgroundColor: DIFF_COLORS[kind],
              borderLeft: `3px solid ${DIFF_EDGES[kind]}`,
              color: '#1a1a1a',
              px: 1,
              my: 0.25,
              fontFamily: 'monospace',
            }}
          >
            {DIFF_SIGNS[kind]} {field.field}: <FieldValue value={field.before} target={target} /> →{' '}
            <FieldValue value={field.after} target={target} />
          </Box>
        );
      })}
    </Box>
  );
}

function columns(meta: ModelMeta): ApiColumn<RecordChange>[] {
  return [
    {
      label: 'When',
      cell: (change) => (
        <Tooltip title={new Date(change.at).toLocaleString()}>
          <span>{timeAgo(change.at)}</span>
        </Tooltip>
      ),
      sx: { whiteSpace: 'nowrap' },
    },
    { label: 'Who', cell: (change) => change.actor.name },
    { label: 'Via', cell: (change) => change.via },
    { label: 'Action', cell: (change) => change.action },
    { label: 'Changes', cell: (change) => <FieldChanges change={change} meta={meta} /> },
  ];
}

/**
 * The Changes tab of an object's page: who changed it, when, through what, and each field before
 * → after, newest first, from the audit log (a session's `updateField` is in its History tab).
 */
export function RecordChangesTab({ meta }: { meta: ModelMeta }) {
  const record = useRecordContext();
  const paging = usePaging(25, [25, 50, 100]);
  const id = record?.id;
  const changes = useApiQuery<RecordChangesPage>(
    id === undefined ? null : `/api/records/${encodeURIComponent(meta.name)}/${String(id)}/changes`,
    paging.query,
  );
  if (id === undefined) return null;
  return (
    <ApiList
      request={changes}
      rows={changes.data?.items}
      columns={columns(meta)}
      rowKey={(change) => change.id}
      rowData={(change) => ({ 'data-change': change.id, 'data-action': change.action })}
      testId="record-changes"
      label="Changes"
      paging={paging.of(changes.data?.total ?? 0)}
      empty="No change to this object is in the audit log yet: edits from the web admin, the API, the CLI and imports are."
    />
  );
}
