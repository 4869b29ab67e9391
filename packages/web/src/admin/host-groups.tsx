import {
  AutocompleteArrayInput,
  Create,
  Datagrid,
  DeleteButton,
  Edit,
  FunctionField,
  List,
  SaveButton,
  SimpleForm,
  TextField,
  TextInput,
  Toolbar,
  required,
  type RaRecord,
} from 'react-admin';
import { formText, shorten } from '../data/value-text.js';
import { useNameChoices } from './use-name-choices.js';
import { KEEP_TYPED } from '../layout/keep-typed.js';

/** A group's config as its text box edits it; no config (an empty mapping) as an empty box. */
const formatConfig = (value: unknown) =>
  typeof value === 'object' && value !== null && !Object.keys(value).length ? '' : formText(value);

/**
 * Host groups: shared connection config for their hosts (YAML or JSON). Rows open the edit page
 * when the user may change hosts (`canChange`).
 */
export function HostGroupList({ canChange = false }: { canChange?: boolean }) {
  return (
    <List resource="host-groups" title="Host groups" exporter={false}>
      <Datagrid rowClick={canChange ? 'edit' : false} bulkActionButtons={false}>
        <TextField source="name" />
        <TextField source="hosts" />
        <TextField source="comment" emptyText="" />
        <FunctionField
          label="Config"
          render={(r: RaRecord) => <code>{shorten(formatConfig(r.config), 80)}</code>}
        />
      </Datagrid>
    </List>
  );
}

/** The group's hosts, by name (hosts name their groups, groups their hosts). */
function MembersInput() {
  const choices = useNameChoices('Host');
  return (
    <AutocompleteArrayInput
      source="members"
      label="Hosts"
      choices={choices}
      fullWidth
      helperText="a host that joins gets this group last in its layering order"
    />
  );
}

function EditToolbar() {
  return (
    <Toolbar sx={{ justifyContent: 'space-between' }}>
      <SaveButton />
      <DeleteButton
        mutationMode="pessimistic"
        confirmTitle="Remove this host group?"
        confirmContent="Its hosts stay, without the group's connection config."
      />
    </Toolbar>
  );
}

function GroupForm({ edit = false }: { edit?: boolean }) {
  return (
    <SimpleForm {...(edit ? { toolbar: <EditToolbar /> } : {})} resetOptions={KEEP_TYPED}>
      <TextInput source="name" validate={required()} />
      <TextInput source="comment" fullWidth />
      <TextInput
        source="config"
        multiline
        minRows={4}
        fullWidth
        format={formatConfig}
        helperText="connection config: a YAML or JSON mapping"
      />
      {edit ? <MembersInput /> : null}
    </SimpleForm>
  );
}

export function HostGroupCreate() {
  return (
    <Create resource="host-groups" redirect="list">
      <GroupForm />
    </Create>
  );
}

export function HostGroupEdit() {
  return (
    <Edit resource="host-groups" mutationMode="pessimistic" redirect="list">
      <GroupForm edit />
    </Edit>
  );
}
