import { Datagrid, ListBase, Pagination, useRecordContext } from 'react-admin';
import { sessionRecordColumns } from './session-record-columns.js';

/** The History tab of an object's page: every session run on it, newest first. */
export function ObjectHistory({ model }: { model: string }) {
  const record = useRecordContext();
  if (!record) return null;
  return (
    <ListBase
      resource="session-records"
      filter={{ object: `${model}:${String(record.id)}` }}
      perPage={25}
      disableSyncWithLocation
      storeKey={false}
    >
      <Datagrid
        bulkActionButtons={false}
        rowClick={(id) => `/session-records/${String(id)}/show`}
        data-testid="object-history"
        empty={<p>No session has run on this object yet.</p>}
      >
        {sessionRecordColumns({ object: false })}
      </Datagrid>
      <Pagination />
    </ListBase>
  );
}
