import { forwardRef, useState, type FormEvent } from 'react';
import {
  Alert,
  Box,
  Button,
  Card,
  CardContent,
  ListItemIcon,
  ListItemText,
  MenuItem,
  TextField,
} from '@mui/material';
import PasswordIcon from '@mui/icons-material/Password';
import { Link } from 'react-router-dom';
import { Title, useNotify, useUserMenu } from 'react-admin';
import { ApiError, api } from '../api/http.js';
import { forgetMetadata } from '../api/metadata.js';

/** The server's policy, repeated here only to say it before the first try. */
const MIN_LENGTH = 8;

type Fields = 'currentPassword' | 'newPassword' | 'confirm';

/** The form's fields in order; a hint shows under a field until the server names a fault. */
const FIELDS: readonly { name: Fields; label: string; autoComplete: string; hint: string }[] = [
  {
    name: 'currentPassword',
    label: 'Current password',
    autoComplete: 'current-password',
    hint: ' ',
  },
  {
    name: 'newPassword',
    label: 'New password',
    autoComplete: 'new-password',
    hint: `at least ${MIN_LENGTH} characters`,
  },
  { name: 'confirm', label: 'New password again', autoComplete: 'new-password', hint: ' ' },
];

/**
 * "Change password": the current password, the new one twice. The server checks the current one,
 * the length, and ends the user's other login sessions; this browser stays logged in.
 */
export function ChangePasswordPage() {
  const notify = useNotify();
  const [values, setValues] = useState<Record<Fields, string>>({
    currentPassword: '',
    newPassword: '',
    confirm: '',
  });
  const [errors, setErrors] = useState<Partial<Record<Fields, string>>>({});
  const [message, setMessage] = useState<string | undefined>();
  const [saving, setSaving] = useState(false);

  const set = (field: Fields) => (event: { target: { value: string } }) =>
    setValues((current) => ({ ...current, [field]: event.target.value }));

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setMessage(undefined);
    if (values.newPassword !== values.confirm) {
      setErrors({ confirm: 'the two new passwords differ' });
      return;
    }
    setErrors({});
    setSaving(true);
    try {
      await api('/api/auth/password', {
        method: 'POST',
        body: { currentPassword: values.currentPassword, newPassword: values.newPassword },
      });
      forgetMetadata(); // the CSRF token changed with the new login session
      setValues({ currentPassword: '', newPassword: '', confirm: '' });
      notify('Password changed; your other sessions are logged out', { type: 'success' });
    } catch (error) {
      if (error instanceof ApiError) {
        setErrors(error.fields);
        setMessage(error.message);
      } else {
        setMessage(error instanceof Error ? error.message : String(error));
      }
    } finally {
      setSaving(false);
    }
  };

  return (
    <Card sx={{ mt: 2, maxWidth: 480 }}>
      <Title title="Change password" />
      <CardContent>
        <Box
          component="form"
          onSubmit={(event: FormEvent) => void submit(event)}
          sx={{ display: 'flex', flexDirection: 'column', gap: 2 }}
          data-testid="change-password-form"
        >
          {message ? <Alert severity="error">{message}</Alert> : null}
          {FIELDS.map(({ name, label, autoComplete, hint }) => (
            <TextField
              key={name}
              label={label}
              type="password"
              name={name}
              autoComplete={autoComplete}
              required
              value={values[name]}
              onChange={set(name)}
              error={Boolean(errors[name])}
              helperText={errors[name] ?? hint}
            />
          ))}
          <Button type="submit" variant="contained" disabled={saving}>
            Change password
          </Button>
        </Box>
      </CardContent>
    </Card>
  );
}

/** The user menu's entry to the page. */
export const ChangePasswordMenuItem = forwardRef<HTMLAnchorElement>(
  function ChangePasswordMenuItem(props, ref) {
    const userMenu = useUserMenu();
    return (
      <MenuItem
        ref={ref}
        {...props}
        component={Link}
        to="/change-password"
        onClick={() => userMenu?.onClose()}
      >
        <ListItemIcon>
          <PasswordIcon fontSize="small" />
        </ListItemIcon>
        <ListItemText>Change password</ListItemText>
      </MenuItem>
    );
  },
);
