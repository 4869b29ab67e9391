import {
  Create,
  Datagrid,
  DateField,
  DeleteButton,
  Edit,
  EditButton,
  FormDataConsumer,
  List,
  SelectInput,
  SimpleForm,
  TextField,
  TextInput,
  required,
} from 'react-admin';
import { KEEP_TYPED } from '../layout/keep-typed.js';

const typeChoices = [
  { id: 'ssh-key', name: 'SSH private key' },
  { id: 'password', name: 'Password (login or sudo)' },
];

/**
 * Credentials: what may be shown of them (name, type, an SSH key's fingerprint, who changed them
 * and when). The server never sends a secret back, so no page can show one.
 */
export function CredentialList() {
  return (
    <List resource="credentials" title="Credentials" exporter={false}>
      <Datagrid bulkActionButtons={false} rowClick={false} data-testid="credential-list">
        <TextField source="name" />
        <TextField source="type" />
        <TextField source="fingerprint" emptyText="" />
        <TextField source="createdBy" label="Created by" emptyText="" />
        <DateField source="createdAt" label="Created" showTime />
        <TextField source="updatedBy" label="Changed by" emptyText="" />
        <DateField source="updatedAt" label="Changed" showTime />
        <EditButton label="Replace" />
        <DeleteButton
          mutationMode="pessimistic"
          confirmTitle="Delete this credential?"
          confirmContent="Hosts and groups that name it fail to connect until they are changed."
        />
      </Datagrid>
    </List>
  );
}

/** The secret's fields for the chosen type; written, never read back (no field is prefilled). */
function SecretInputs() {
  return (
    <>
      <SelectInput source="type" choices={typeChoices} validate={required()} />
      <FormDataConsumer<{ type?: string }>>
        {({ formData }) =>
          formData.type === 'ssh-key' ? (
            <>
              <TextInput
                source="privateKey"
                label="Private key (OpenSSH or PEM)"
                multiline
                minRows={6}
                fullWidth
                validate={required()}
                autoComplete="off"
              />
              <TextInput
                source="passphrase"
                label="Passphrase, if the key is encrypted"
                type="password"
                autoComplete="new-password"
              />
            </>
          ) : formData.type === 'password' ? (
            <TextInput
              source="password"
              type="password"
              validate={required()}
              autoComplete="new-password"
            />
          ) : null
        }
      </FormDataConsumer>
    </>
  );
}

export function CredentialCreate() {
  return (
    <Create resource="credentials" title="New credential" redirect="list">
      <SimpleForm>
        <TextInput
          source="name"
          validate={required()}
          helperText="hosts name it: key: { credential: NAME }, password: { credential: NAME }"
        />
        <SecretInputs />
      </SimpleForm>
    </Create>
  );
}

/** Replacing gives a credential a new secret; the old one is not shown (nobody can read it). */
export function CredentialEdit() {
  return (
    <Edit
      resource="credentials"
      title="Replace credential"
      mutationMode="pessimistic"
      redirect="list"
    >
      <SimpleForm resetOptions={KEEP_TYPED}>
        <TextInput source="name" disabled helperText="a new secret under the same name" />
        <SecretInputs />
      </SimpleForm>
    </Edit>
  );
}
