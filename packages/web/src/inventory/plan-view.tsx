import { Typography } from '@mui/material';
import type { InventoryFieldChange, InventoryPlan } from '@minke/contract';
import { ApiTable, type ApiColumn } from '../layout/api-table.js';

interface PlanRow {
  what: string;
  name: string;
  detail: string;
}

const COLUMNS: readonly ApiColumn<PlanRow>[] = [
  { label: 'What', cell: (row) => row.what },
  { label: 'Host', cell: (row) => row.name },
  { label: 'Details', cell: (row) => row.detail },
];

/** A sync's plan, one row per host or record: added, changed (with what), disabled, deleted. */
export function PlanView({ plan }: { plan: InventoryPlan }) {
  const rows: PlanRow[] = [
    ...plan.added.map((host) => ({
      what: plan.dryRun ? 'add' : 'added',
      name: host.name,
      detail: [
        `${host.user ? `${host.user}@` : ''}${host.hostname ?? host.name}${host.port ? `:${host.port}` : ''}`,
        host.groups.length ? `groups ${host.groups.join(', ')}` : '',
      ]
        .filter(Boolean)
        .join(' · '),
    })),
    ...plan.changed.map((host) => ({
      what: plan.dryRun ? 'change' : 'changed',
      name: host.name,
      detail: changeText(host.changes),
    })),
    ...plan.removed.map((host) => ({
      what:
        host.action === 'delete'
          ? plan.dryRun
            ? 'delete'
            : 'deleted'
          : plan.dryRun
            ? 'disable'
            : 'disabled',
      name: host.name,
      detail: 'no longer listed',
    })),
    ...plan.skipped.map((skip) => ({ what: 'skip', name: skip.name, detail: skip.reason })),
    ...plan.records.map((record) => ({
      what: `${record.action} ${record.model}`,
      name: record.host,
      detail: changeText(record.changes),
    })),
  ];
  return (
    <>
      <Typography variant="body2" data-testid="plan-summary">
        {plan.added.length} to add, {plan.changed.length} to change, {plan.removed.length} to
        remove, {plan.unchanged} unchanged
      </Typography>
      {rows.length > 0 ? (
        <ApiTable
          rows={rows}
          columns={COLUMNS}
          rowKey={(row) => `${row.what} ${row.name}`}
          rowData={(row) => ({ 'data-plan-row': row.name })}
        />
      ) : null}
    </>
  );
}

function changeText(changes: InventoryFieldChange[]): string {
  return changes
    .map((change) => `${change.field}: ${shown(change.before)} → ${shown(change.after)}`)
    .join(', ');
}

function shown(value: unknown): string {
  if (value === null || value === undefined || value === '') return '–';
  return typeof value === 'string' ? value : JSON.stringify(value);
}
