import {
  Create,
  Datagrid,
  FunctionField,
  List,
  SimpleForm,
  TextField,
  TextInput,
  required,
  type RaRecord,
} from 'react-admin';

const formatConfig = (value: unknown) =>
  value === undefined || value === null || (typeof value === 'object' && !Object.keys(value).length)
    ? ''
    : typeof value === 'string'
      ? value
      : JSON.stringify(value, null, 2);

/** Host groups: shared connection config for their hosts (YAML or JSON). Made here; the API has no edit yet. */
export function HostGroupList() {
  return (
    <List resource="host-groups" title="Host groups" exporter={false}>
      <Datagrid rowClick={false} bulkActionButtons={false}>
        <TextField source="name" />
        <TextField source="hosts" />
        <TextField source="comment" emptyText="" />
        <FunctionField
          label="Config"
          render={(r: RaRecord) => <code>{formatConfig(r.config).slice(0, 80)}</code>}
        />
      </Datagrid>
    </List>
  );
}

function GroupForm() {
  return (
    <SimpleForm>
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
