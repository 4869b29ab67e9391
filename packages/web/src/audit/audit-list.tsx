import { Box, Typography } from '@mui/material';
import type { AuditEntry } from '@minke/contract';
import {
  Datagrid,
  DateField,
  DateTimeInput,
  FunctionField,
  List,
  TextField,
  TextInput,
  useRecordContext,
  type RaRecord,
} from 'react-admin';

/** One audit row as GET /api/audit sends it. */
type AuditRow = AuditEntry & RaRecord;

const filters = [
  <TextInput key="actor" source="actor" label="Actor" alwaysOn />,
  <TextInput
    key="action"
    source="action"
    label="Action"
    helperText="host matches host.update"
    alwaysOn
  />,
  <TextInput key="target" source="target" label="Target" />,
  <DateTimeInput key="since" source="since" label="Since" />,
  <DateTimeInput key="until" source="until" label="Until" />,
];

/** A row's before/after, as the log stores them (secrets already redacted by the server). */
function AuditChange() {
  const row = useRecordContext<AuditRow>();
  if (!row) return null;
  return (
    <Box
      sx={{ display: 'grid', gridTemplateColumns: '1fr 1fr', gap: 2 }}
      data-testid="audit-change"
    >
      {(['before', 'after'] as const).map((side) => (
        <Box key={side}>
          <Typography variant="subtitle2">{side === 'before' ? 'Before' : 'After'}</Typography>
          <Box component="pre" sx={{ m: 0, fontSize: 12, whiteSpace: 'pre-wrap' }}>
            {row[side] === null ? '—' : JSON.stringify(row[side], null, 2)}
          </Box>
        </Box>
      ))}
    </Box>
  );
}

/** The audit log: who changed what, when and from where, newest first, with filters. */
export function AuditList() {
  return (
    <List
      resource="audit"
      title="Audit log"
      exporter={false}
      filters={filters}
      sort={{ field: 'id', order: 'DESC' }}
      perPage={50}
    >
      <Datagrid
        bulkActionButtons={false}
        rowClick="expand"
        expand={<AuditChange />}
        data-testid="audit-list"
      >
        <TextField source="id" label="#" sortable={false} />
        <DateField source="at" label="When" showTime sortable={false} />
        <TextField source="actor.name" label="Who" sortable={false} />
        <FunctionField<AuditRow>
          label="From"
          render={(row) => (row.ip === null ? row.via : `${row.via}, ${row.ip}`)}
        />
        <TextField source="action" sortable={false} />
        <FunctionField<AuditRow>
          label="Target"
          render={(row) => `${row.target.type} ${row.target.name ?? row.target.id ?? ''}`.trim()}
        />
      </Datagrid>
    </List>
  );
}
