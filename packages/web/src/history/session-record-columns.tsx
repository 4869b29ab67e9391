import { DateField, FunctionField, TextField, type RaRecord } from 'react-admin';
import { Link } from 'react-router-dom';
import type { SessionRecordItem } from '@minke/contract';
import { SessionName } from '../runs/session-name.js';
import { OutcomeChip, StateChip } from '../runs/status-chip.js';

function duration(ms: number | null): string {
  if (ms === null || ms === undefined) return '';
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/** Columns of session-record lists (the global history and an object's History tab). */
export function sessionRecordColumns(options: { object: boolean }) {
  return [
    <TextField key="id" source="id" label="#" />,
    <FunctionField
      key="session"
      source="session"
      label="Session"
      render={(r: RaRecord) => {
        const record = r as unknown as SessionRecordItem;
        return (
          <Link to={`/session-records/${record.id}/show`} onClick={(e) => e.stopPropagation()}>
            <SessionName name={record.session} verboseName={record.verboseName} />
          </Link>
        );
      }}
    />,
    ...(options.object
      ? [
          <FunctionField
            key="object"
            source="objectLabel"
            label="Object"
            sortable={false}
            render={(r: RaRecord) => {
              const record = r as unknown as SessionRecordItem;
              return (
                <Link
                  to={`/${record.model}/${record.objectId}/show`}
                  onClick={(e) => e.stopPropagation()}
                >
                  {record.objectLabel}
                </Link>
              );
            }}
          />,
          <TextField key="model" source="model" label="Model" sortable={false} />,
        ]
      : []),
    <TextField key="host" source="hostName" label="Host" sortable={false} emptyText="" />,
    <TextField key="user" source="username" label="User" sortable={false} emptyText="" />,
    <FunctionField
      key="state"
      source="processState"
      label="State"
      sortable={false}
      render={(r: RaRecord) => (
        <StateChip state={(r as unknown as SessionRecordItem).processState} />
      )}
    />,
    <FunctionField
      key="result"
      source="result"
      label="Result"
      sortable={false}
      render={(r: RaRecord) => {
        const record = r as unknown as SessionRecordItem;
        return <OutcomeChip state={record.processState} result={record.result} />;
      }}
    />,
    <DateField key="created" source="createdAt" label="Created" showTime sortable={false} />,
    <FunctionField
      key="duration"
      source="durationMs"
      label="Duration"
      sortable={false}
      render={(r: RaRecord) => duration((r as unknown as SessionRecordItem).durationMs)}
    />,
  ];
}
