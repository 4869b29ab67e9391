import { useMemo, useState } from 'react';
import {
  Alert,
  Button,
  Card,
  CardContent,
  CardHeader,
  Chip,
  Stack,
  Typography,
} from '@mui/material';
import { useNotify } from 'react-admin';
import type { InventoryPlan, InventorySource, InventorySourceList } from '@minke/contract';
import { api } from '../api/http.js';
import { useApiQuery } from '../facts/use-api-query.js';
import { ApiListPage } from '../layout/api-list-page.js';
import type { ApiColumn } from '../layout/api-table.js';
import { PlanView } from './plan-view.js';

/**
 * Inventory sources: each with what it reads, how many hosts it owns and how its last sync went.
 * "Dry run" shows what a sync would add, change and disable; "Apply" then syncs for real.
 */
export function InventoryPage() {
  const list = useApiQuery<InventorySourceList>('/api/inventory');
  const [plan, setPlan] = useState<InventoryPlan>();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState<string>();
  const notify = useNotify();

  const sync = async (name: string, dryRun: boolean) => {
    setBusy(name);
    setError(undefined);
    try {
      const result = await api<InventoryPlan>(`/api/inventory/${encodeURIComponent(name)}/sync`, {
        method: 'POST',
        body: { dryRun },
      });
      setPlan(result);
      if (!dryRun) {
        notify(`Synced ${name}`, { type: 'info' });
        list.reload();
      }
    } catch (e) {
      setPlan(undefined);
      setError((e as Error).message);
      if (!dryRun) list.reload();
    } finally {
      setBusy(undefined);
    }
  };
  const columns = useMemo(() => sourceColumns((name) => void sync(name, true), busy), [busy]);

  return (
    <ApiListPage
      title="Inventory sources"
      heading="Inventory sources"
      subheader="Hosts synced from files, URLs, commands and OpenSSH configs"
      request={{ loading: list.loading, error: list.error }}
      rows={list.data?.items}
      columns={columns}
      rowKey={(source) => source.name}
      rowData={(source) => ({ 'data-source': source.name })}
      testId="inventory-sources"
      empty={
        <>
          No inventory sources: list them in <code>minke.config.ts</code> with{' '}
          <code>defineInventorySource</code>.
        </>
      }
      after={
        error || plan ? (
          <Card data-testid="inventory-plan">
            <CardHeader
              title={
                plan ? `${plan.dryRun ? 'Dry run of' : 'Synced'} ${plan.source}` : 'Sync failed'
              }
              subheader={plan?.dryRun ? 'Nothing has changed yet' : undefined}
            />
            <CardContent>
              {error ? <Alert severity="error">{error}</Alert> : null}
              {plan ? (
                <Stack spacing={2}>
                  <PlanView plan={plan} />
                  {plan.dryRun ? (
                    <div>
                      <Button
                        variant="contained"
                        disabled={busy !== undefined}
                        onClick={() => void sync(plan.source, false)}
                      >
                        Apply
                      </Button>
                    </div>
                  ) : null}
                </Stack>
              ) : null}
            </CardContent>
          </Card>
        ) : null
      }
    />
  );
}

function sourceColumns(
  onDryRun: (name: string) => void,
  busy: string | undefined,
): ApiColumn<InventorySource>[] {
  return [
    { label: 'Source', cell: (source) => source.name, sortBy: (source) => source.name },
    {
      label: 'Reads',
      cell: (source) => `${source.kind}: ${source.from}`,
      sx: { fontFamily: 'monospace', fontSize: 12 },
    },
    { label: 'Schedule', cell: (source) => source.schedule ?? 'on demand' },
    {
      label: 'Hosts',
      align: 'right',
      cell: (source) => source.hosts,
      sortBy: (source) => source.hosts,
    },
    { label: 'Last sync', cell: (source) => <LastSync source={source} /> },
    {
      cell: (source) => (
        <Button size="small" disabled={busy !== undefined} onClick={() => onDryRun(source.name)}>
          Dry run
        </Button>
      ),
    },
  ];
}

function LastSync({ source }: { source: InventorySource }) {
  const last = source.lastSync;
  if (!last) return <Typography variant="body2">never</Typography>;
  return (
    <Stack direction="row" spacing={1} sx={{ alignItems: 'center' }}>
      <Typography variant="body2">{new Date(last.at).toLocaleString()}</Typography>
      {last.ok ? (
        <Chip
          size="small"
          variant="outlined"
          color="success"
          label={`+${last.added} ~${last.changed} −${last.removed}`}
        />
      ) : (
        <Chip size="small" color="error" label="failed" title={last.error ?? ''} />
      )}
    </Stack>
  );
}
