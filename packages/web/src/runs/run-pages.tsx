import { Datagrid, DateField, FunctionField, List, TextField, type RaRecord } from 'react-admin';
import type { RunItem } from '@minke/contract';
import { NoRunsYet } from './no-runs-yet.js';
import { runsRefreshInterval } from './runs-refresh.js';
import { SessionName } from './session-name.js';
import { useVerboseNames } from './session-names.js';
import { SummaryChips } from './summary-chips.js';

export { RunShow } from './run-show.js';
export { SummaryChips } from './summary-chips.js';

/** Runs (one per "Run session"), newest first; superusers see everyone's. */
export function RunList() {
  const names = useVerboseNames();
  return (
    <List
      resource="runs"
      title="Runs"
      perPage={25}
      exporter={false}
      empty={<NoRunsYet />}
      queryOptions={{ refetchInterval: (query) => runsRefreshInterval(query.state.data) }}
    >
      <Datagrid bulkActionButtons={false} rowClick="show">
        <TextField source="id" label="#" />
        <FunctionField
          label="Session"
          render={(r: RaRecord) => {
            const run = r as unknown as RunItem;
            return <SessionName name={run.session} verboseName={names.get(run.session)} />;
          }}
        />
        <TextField source="model" sortable={false} />
        <TextField source="state" sortable={false} />
        <FunctionField
          label="Summary"
          render={(r: RaRecord) => <SummaryChips summary={(r as unknown as RunItem).summary} />}
        />
        <DateField source="createdAt" label="Created" showTime sortable={false} />
        <DateField source="finishedAt" label="Finished" showTime sortable={false} emptyText="" />
      </Datagrid>
    </List>
  );
}
