import { useState } from 'react';
import {
  Alert,
  Button as MuiButton,
  Dialog,
  DialogActions,
  DialogContent,
  DialogTitle,
  TextField as MuiTextField,
} from '@mui/material';
import {
  AutocompleteInput,
  BooleanField,
  Create,
  Datagrid,
  DateField,
  DeleteButton,
  List,
  SimpleForm,
  TextField,
  TextInput,
  usePermissions,
  useRedirect,
  type RaRecord,
} from 'react-admin';
import type { Me } from '@minke/contract';
import { useNameChoices } from './use-name-choices.js';

/** API tokens: a token is shown once, when it is made; the server keeps only its hash. */
export function TokenList() {
  const { permissions } = usePermissions<Me>();
  return (
    <List resource="tokens" title="API tokens" exporter={false}>
      <Datagrid bulkActionButtons={false} rowClick={false} data-testid="token-list">
        <TextField source="id" label="#" />
        <TextField source="name" emptyText="" />
        {permissions?.isSuperuser ? <TextField source="username" label="User" /> : null}
        <DateField source="createdAt" label="Created" showTime />
        <DateField source="lastUsed" label="Last used" showTime emptyText="never" />
        <BooleanField source="revoked" />
        <DeleteButton mutationMode="pessimistic" label="Revoke" />
      </Datagrid>
    </List>
  );
}

function UserInput() {
  const choices = useNameChoices('users', 'username');
  return (
    <AutocompleteInput source="user" label="User" choices={choices} helperText="you, if empty" />
  );
}

export function TokenCreate() {
  const { permissions } = usePermissions<Me>();
  const [token, setToken] = useState<string>();
  const redirect = useRedirect();
  return (
    <>
      <Create
        resource="tokens"
        mutationOptions={{
          onSuccess: (data: RaRecord) => setToken(String(data.token ?? '')),
        }}
      >
        <SimpleForm>
          <TextInput source="name" helperText="what the token is for" />
          {permissions?.isSuperuser ? <UserInput /> : null}
        </SimpleForm>
      </Create>
      <Dialog open={token !== undefined}>
        <DialogTitle>Your new API token</DialogTitle>
        <DialogContent>
          <Alert severity="warning" sx={{ mb: 2 }}>
            Copy it now: it is not shown again. Send it as <code>Authorization: Bearer …</code>.
          </Alert>
          <MuiTextField
            value={token ?? ''}
            fullWidth
            slotProps={{ htmlInput: { readOnly: true, 'data-testid': 'new-token' } }}
            onFocus={(e) => e.target.select()}
          />
        </DialogContent>
        <DialogActions>
          <MuiButton
            onClick={() => {
              setToken(undefined);
              redirect('list', 'tokens');
            }}
          >
            Done
          </MuiButton>
        </DialogActions>
      </Dialog>
    </>
  );
}
