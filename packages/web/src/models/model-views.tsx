import { useCallback, type ReactElement } from 'react';
import {
  BulkDeleteButton,
  Create,
  Datagrid,
  DeleteButton,
  Edit,
  EditButton,
  FunctionField,
  List,
  Pagination,
  SaveButton,
  Show,
  SimpleForm,
  Tab,
  TabbedShowLayout,
  TextField,
  TextInput,
  Toolbar,
  TopToolbar,
  CreateButton,
  FilterButton,
  type RaRecord,
} from 'react-admin';
import { Link } from 'react-router-dom';
import type { ModelMeta } from '@minke/contract';
import { WHERE_KEY } from '../data/list-query.js';
import { HostFactsTab } from '../facts/host-facts-tab.js';
import { HostPoliciesTab } from '../policies/host-policies-tab.js';
import { ObjectHistory } from '../history/object-history.js';
import { boardFor } from '../runs/boards.js';
import { LiveSessionCell } from '../runs/live-session-cell.js';
import { RowSessionPanel } from '../runs/row-session-panel.js';
import { FinishedRowsRefresh } from '../runs/finished-rows-refresh.js';
import { RunProgress } from '../runs/run-progress.js';
import { ClearSessionsButton } from '../runs/clear-sessions-button.js';
import { RunSessionButton } from '../runs/run-session-button.js';
import { NoHostsYet } from '../hosts/no-hosts-yet.js';
import { narrowColumns } from '../layout/narrow-columns.js';
import { uiFor } from './field-registry.js';
import { ExportCsvButton } from './export-csv-button.js';
import { ImportCsvButton } from './import-csv-button.js';
import { FilterSidebar } from './filter-sidebar.js';
import { WindowedDatagridBody } from './windowed-datagrid-body.js';
import { RecordChangesTab } from './record-changes-tab.js';
import { KEEP_TYPED } from '../layout/keep-typed.js';

/** Fields shown as list columns: all but JSON (too wide; it shows on the detail page). */
function listFields(meta: ModelMeta) {
  return meta.fields.filter((field) => field.kind !== 'json');
}

/** Columns a phone leaves out: all but the label (the first field) and the session. */
function hiddenOnPhones(meta: ModelMeta): string[] {
  return [
    'id',
    ...listFields(meta)
      .slice(1)
      .map((field) => field.name),
  ];
}

export function defaultSort(meta: ModelMeta): { field: string; order: 'ASC' | 'DESC' } {
  const first = meta.ordering[0] ?? 'id';
  return first.startsWith('-')
    ? { field: first.slice(1), order: 'DESC' }
    : { field: first, order: 'ASC' };
}

function filterInputs(meta: ModelMeta): ReactElement[] {
  return [
    ...meta.fields.flatMap((field) => uiFor(field).filters(field)),
    <TextInput
      key={WHERE_KEY}
      source={WHERE_KEY}
      label="Where"
      helperText="e.g. host.name ~ web and cores >= 4"
      sx={{ minWidth: 320 }}
    />,
  ];
}

function ListActions({ meta }: { meta: ModelMeta }) {
  return (
    <TopToolbar>
      <FilterButton />
      {meta.permissions.add ? <CreateButton /> : null}
      <ImportCsvButton meta={meta} />
      <ExportCsvButton meta={meta} />
    </TopToolbar>
  );
}

function BulkActions({ meta }: { meta: ModelMeta }) {
  return (
    <>
      {meta.sessions.length > 0 ? <RunSessionButton model={meta.name} /> : null}
      {meta.sessions.length > 0 ? <ClearSessionsButton model={meta.name} /> : null}
      {meta.permissions.delete ? <BulkDeleteButton mutationMode="pessimistic" /> : null}
    </>
  );
}

/**
 * A model's list, generated from its metadata: a column per field, filters per field kind, the
 * last-status filter, search, sort and paging; select rows and "Run session" to follow the run
 * in place (row colours, progress, output under the row, stop).
 */
export function ModelList({ meta }: { meta: ModelMeta }) {
  const board = boardFor(meta.name);
  // read at click time: the table itself never re-renders because a run started
  const rowClick = useCallback(
    (id: RaRecord['id']) => (board.session(Number(id)) ? 'expand' : 'show'),
    [board],
  );
  const bulk = meta.sessions.length > 0 || meta.permissions.delete;
  return (
    <>
      {/* above the list: the bulk-actions bar covers the top of the table while rows are ticked */}
      <RunProgress board={board} />
      <List
        resource={meta.name}
        title={meta.label}
        sort={defaultSort(meta)}
        perPage={25}
        filters={filterInputs(meta)}
        aside={<FilterSidebar meta={meta} />}
        {...(meta.name === 'Host' ? { empty: <NoHostsYet canAdd={meta.permissions.add} /> } : {})}
        actions={<ListActions meta={meta} />}
        pagination={<Pagination rowsPerPageOptions={[10, 25, 50, 100, 250, 500, 1000]} />}
        sx={{ '& .RaList-main': { minWidth: 0 } }}
      >
        <FinishedRowsRefresh board={board} />
        <Datagrid
          bulkActionButtons={bulk ? <BulkActions meta={meta} /> : false}
          expand={<RowSessionPanel model={meta.name} />}
          body={<WindowedDatagridBody />}
          rowClick={rowClick}
          data-testid={`list-${meta.name}`}
          sx={{
            '& .RaDatagrid-tableWrapper': { overflowX: 'auto' },
            '& .RaDatagrid-rowCell': {
              whiteSpace: 'nowrap',
              maxWidth: 240,
              overflow: 'hidden',
              textOverflow: 'ellipsis',
            },
            '& .RaDatagrid-rowCell.minke-session-cell': { maxWidth: 'none', overflow: 'visible' },
            // a phone keeps the label and the session columns
            ...narrowColumns(hiddenOnPhones(meta)),
          }}
        >
          <FunctionField
            source="id"
            label="#"
            render={(record: RaRecord) => (
              <Link
                to={`/${meta.name}/${String(record.id)}/show`}
                onClick={(e) => e.stopPropagation()}
              >
                {String(record.id)}
              </Link>
            )}
          />
          {listFields(meta)
            .slice(0, 1)
            .map((field) => uiFor(field).column(field))}
          <FunctionField
            label="Session"
            sortable={false}
            cellClassName="minke-session-cell"
            render={() => <LiveSessionCell model={meta.name} />}
          />
          {listFields(meta)
            .slice(1)
            .map((field) => uiFor(field).column(field))}
        </Datagrid>
      </List>
    </>
  );
}

function ShowActions({ meta }: { meta: ModelMeta }) {
  return (
    <TopToolbar>
      {meta.permissions.change ? <EditButton /> : null}
      {meta.permissions.delete ? <DeleteButton mutationMode="pessimistic" /> : null}
    </TopToolbar>
  );
}

/**
 * An object's page: its fields, a History tab with every session run on it, and a Changes tab
 * with every audited change to it.
 */
export function ModelShow({ meta }: { meta: ModelMeta }) {
  return (
    <Show resource={meta.name} actions={<ShowActions meta={meta} />}>
      <TabbedShowLayout>
        <Tab label="Details">
          <TextField source="id" label="#" />
          {meta.fields.map((field) => uiFor(field).column(field))}
        </Tab>
        <Tab label="History" path="history">
          <ObjectHistory model={meta.name} />
        </Tab>
        <Tab label="Changes" path="changes">
          <RecordChangesTab meta={meta} />
        </Tab>
        {meta.name === 'Host' ? (
          <Tab label="Facts" path="facts">
            <HostFactsTab />
          </Tab>
        ) : null}
        {meta.name === 'Host' ? (
          <Tab label="Policies" path="policies">
            <HostPoliciesTab />
          </Tab>
        ) : null}
      </TabbedShowLayout>
    </Show>
  );
}

function FormToolbar() {
  return (
    <Toolbar>
      <SaveButton />
    </Toolbar>
  );
}

export function ModelEdit({ meta }: { meta: ModelMeta }) {
  return (
    <Edit resource={meta.name} mutationMode="pessimistic">
      <SimpleForm toolbar={<FormToolbar />} resetOptions={KEEP_TYPED}>
        {meta.fields.map((field) => uiFor(field).input(field, 'edit'))}
      </SimpleForm>
    </Edit>
  );
}

/** A new record's starting values: the defaults its model declares. */
function defaults(meta: ModelMeta): Record<string, unknown> {
  return Object.fromEntries(
    meta.fields
      .filter((field) => field.default !== undefined && field.default !== null)
      .map((field) => [field.name, field.default]),
  );
}

export function ModelCreate({ meta }: { meta: ModelMeta }) {
  return (
    <Create resource={meta.name} redirect="show">
      <SimpleForm toolbar={<FormToolbar />} defaultValues={defaults(meta)}>
        {meta.fields.map((field) => uiFor(field).input(field, 'create'))}
      </SimpleForm>
    </Create>
  );
}
