import type { ReactNode } from 'react';
import { DateField, FunctionField, TextField, type RaRecord } from 'react-admin';
import { Link } from 'react-router-dom';
import type { SessionRecordItem } from '@minke/contract';
import { SessionName } from '../runs/session-name.js';
import { OutcomeChip, StateChip } from '../runs/status-chip.js';

function duration(ms: number | null): string {
  if (ms === null || ms === undefined) return '';
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/**
 * A column drawn from the whole record: react-admin hands it over untyped, and this is the one
 * place it is read as the item the session-records API sends.
 */
function recordColumn(
  key: string,
  column: { source: keyof SessionRecordItem; label: string; sortable?: false },
  render: (record: SessionRecordItem) => ReactNode,
) {
  return (
    <FunctionField
      key={key}
      {...column}
      render={(r: RaRecord) => render(r as unknown as SessionRecordItem)}
    />
  );
}

/** Columns of session-record lists (the global history and an object's History tab). */
export function sessionRecordColumns(options: { object: boolean }) {
  return [
    <TextField key="id" source="id" label="#" />,
    recordColumn('session', { source: 'session', label: 'Session' }, (record) => (
      <Link to={`/session-records/${record.id}/show`} onClick={(e) => e.stopPropagation()}>
        <SessionName name={record.session} verboseName={record.verboseName} />
      </Link>
    )),
    ...(options.object
      ? [
          recordColumn(
            'object',
            { source: 'objectLabel', label: 'Object', sortable: false },
            (record) => (
              <Link
                to={`/${record.model}/${record.objectId}/show`}
                onClick={(e) => e.stopPropagation()}
              >
                {record.objectLabel}
              </Link>
            ),
          ),
          <TextField key="model" source="model" label="Model" sortable={false} />,
        ]
      : []),
    <TextField key="host" source="hostName" label="Host" sortable={false} emptyText="" />,
    <TextField key="user" source="username" label="User" sortable={false} emptyText="" />,
    recordColumn('state', { source: 'processState', label: 'State', sortable: false }, (record) => (
      <StateChip state={record.processState} />
    )),
    recordColumn('result', { source: 'result', label: 'Result', sortable: false }, (record) => (
      <OutcomeChip state={record.processState} result={record.result} />
    )),
    <DateField key="created" source="createdAt" label="Created" showTime sortable={false} />,
    recordColumn(
      'duration',
      { source: 'durationMs', label: 'Duration', sortable: false },
      (record) => duration(record.durationMs),
    ),
  ];
}
