import {
  AutocompleteInput,
  Datagrid,
  DateTimeInput,
  List,
  NumberInput,
  ReferenceInput,
  SelectInput,
  usePermissions,
} from 'react-admin';
import { getModels, getSessions } from '../api/metadata.js';
import { useLoaded } from '../api/use-loaded.js';
import { STATUS_FILTERS, type Me, type ModelMeta, type SessionMeta } from '@minke/contract';
import { sessionRecordColumns } from './session-record-columns.js';

const STATUS_CHOICES = STATUS_FILTERS.map((id) => ({ id, name: id }));

function useMetadata() {
  const sessions: SessionMeta[] = useLoaded(getSessions, []).value ?? [];
  const models: ModelMeta[] = useLoaded(getModels, []).value ?? [];
  return { sessions, models };
}

/** The session history: every session record, newest first, filtered as the original's. */
export function SessionRecordList() {
  const { sessions, models } = useMetadata();
  const { permissions } = usePermissions<Me>();
  const filters = [
    <SelectInput
      key="session"
      source="session"
      label="Session"
      choices={sessions.map((s) => ({ id: s.name, name: s.verboseName }))}
      alwaysOn
    />,
    <SelectInput key="status" source="status" label="Status" choices={STATUS_CHOICES} alwaysOn />,
    <SelectInput
      key="model"
      source="model"
      label="Model"
      choices={models.map((m) => ({ id: m.name, name: m.label }))}
    />,
    ...(permissions?.isSuperuser
      ? [
          <ReferenceInput key="user" source="user" reference="users">
            <AutocompleteInput label="User" optionText="username" />
          </ReferenceInput>,
        ]
      : []),
    <DateTimeInput key="since" source="since" label="Since" />,
    <DateTimeInput key="until" source="until" label="Until" />,
    <NumberInput key="run" source="run" label="Run #" />,
  ];
  return (
    <List
      resource="session-records"
      title="Session history"
      filters={filters}
      perPage={50}
      sort={{ field: 'id', order: 'DESC' }}
      exporter={false}
    >
      <Datagrid bulkActionButtons={false} rowClick="show" data-testid="history-list">
        {sessionRecordColumns({ object: true })}
      </Datagrid>
    </List>
  );
}
