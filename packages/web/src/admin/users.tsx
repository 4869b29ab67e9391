import {
  AutocompleteArrayInput,
  BooleanField,
  BooleanInput,
  Create,
  Datagrid,
  DateField,
  DeleteButton,
  Edit,
  FunctionField,
  List,
  PasswordInput,
  SaveButton,
  SimpleForm,
  TextField,
  TextInput,
  Toolbar,
  required,
  useGetIdentity,
  useRecordContext,
  type RaRecord,
} from 'react-admin';
import { useLoaded } from '../api/use-loaded.js';
import { useNameChoices } from './use-name-choices.js';
import { permissionChoices, type PermissionChoice } from './permission-choices.js';
import { KEEP_TYPED } from '../layout/keep-typed.js';

function PermissionsInput() {
  const choices = useLoaded(permissionChoices, []).value ?? [];
  return (
    <AutocompleteArrayInput
      source="permissions"
      label="Permissions (granted directly)"
      choices={choices}
      optionText={(choice: PermissionChoice) => `${choice.id} — ${choice.name}`}
      fullWidth
    />
  );
}

/** User groups by name: the users API names a user's groups. */
function UserGroupsInput() {
  const choices = useNameChoices('user-groups');
  return <AutocompleteArrayInput source="groups" label="Groups" choices={choices} fullWidth />;
}

/**
 * Save, and delete unless it is the user's own account (the server refuses that, and deleting
 * the last superuser, with a message).
 */
function UserToolbar() {
  const record = useRecordContext();
  const { identity } = useGetIdentity();
  const own = record !== undefined && String(record.id) === String(identity?.id);
  return (
    <Toolbar sx={{ justifyContent: 'space-between' }}>
      <SaveButton />
      {own ? null : (
        <DeleteButton
          mutationMode="pessimistic"
          confirmTitle={`Delete user ${String(record?.username ?? '')}?`}
          confirmContent="Their API tokens and login sessions end; their runs stay in the history."
        />
      )}
    </Toolbar>
  );
}

/** User groups are renamed or emptied, not deleted (the API has no delete for them). */
function SaveOnly() {
  return (
    <Toolbar>
      <SaveButton />
    </Toolbar>
  );
}

/** Drops an empty password: "leave empty to keep it". */
function withoutEmptyPassword(data: Record<string, unknown>): Record<string, unknown> {
  const { password, ...rest } = data;
  return typeof password === 'string' && password !== '' ? { ...rest, password } : rest;
}

export function UserList() {
  return (
    <List resource="users" title="Users" exporter={false} perPage={50}>
      <Datagrid rowClick="edit" bulkActionButtons={false}>
        <TextField source="id" label="#" />
        <TextField source="username" />
        <BooleanField source="isSuperuser" label="Superuser" />
        <BooleanField source="isActive" label="Active" />
        <FunctionField
          label="Groups"
          render={(r: RaRecord) => ((r.groups as string[] | undefined) ?? []).join(', ')}
        />
        <DateField source="lastLogin" label="Last login" showTime emptyText="never" />
      </Datagrid>
    </List>
  );
}

export function UserCreate() {
  return (
    <Create resource="users" redirect="list">
      <SimpleForm defaultValues={{ isSuperuser: false, permissions: [], groups: [] }}>
        <TextInput source="username" validate={required()} />
        <PasswordInput source="password" validate={required()} helperText="at least 8 characters" />
        <BooleanInput source="isSuperuser" label="Superuser" />
        <UserGroupsInput />
        <PermissionsInput />
      </SimpleForm>
    </Create>
  );
}

export function UserEdit() {
  return (
    <Edit resource="users" mutationMode="pessimistic" transform={withoutEmptyPassword}>
      <SimpleForm toolbar={<UserToolbar />} resetOptions={KEEP_TYPED}>
        <TextInput source="username" disabled />
        <PasswordInput source="password" helperText="leave empty to keep the password" />
        <BooleanInput source="isSuperuser" label="Superuser" />
        <BooleanInput source="isActive" label="Active" />
        <UserGroupsInput />
        <PermissionsInput />
      </SimpleForm>
    </Edit>
  );
}

export function UserGroupList() {
  return (
    <List resource="user-groups" title="User groups" exporter={false}>
      <Datagrid rowClick="edit" bulkActionButtons={false}>
        <TextField source="id" label="#" />
        <TextField source="name" />
        <TextField source="members" />
        <FunctionField
          label="Permissions"
          render={(r: RaRecord) => ((r.permissions as string[] | undefined) ?? []).join(', ')}
        />
      </Datagrid>
    </List>
  );
}

export function UserGroupCreate() {
  return (
    <Create resource="user-groups" redirect="list">
      <SimpleForm defaultValues={{ permissions: [] }}>
        <TextInput source="name" validate={required()} />
        <PermissionsInput />
      </SimpleForm>
    </Create>
  );
}

export function UserGroupEdit() {
  return (
    <Edit resource="user-groups" mutationMode="pessimistic">
      <SimpleForm toolbar={<SaveOnly />} resetOptions={KEEP_TYPED}>
        <TextInput source="name" validate={required()} />
        <PermissionsInput />
      </SimpleForm>
    </Edit>
  );
}
