import {
  Accordion,
  AccordionDetails,
  AccordionSummary,
  Stack,
  TextField,
  Typography,
} from '@mui/material';
import ExpandMoreIcon from '@mui/icons-material/ExpandMore';
import type { RunPasswords } from './run-passwords.js';

const PASSWORDS: readonly { key: keyof RunPasswords; label: string }[] = [
  { key: 'ssh', label: 'SSH password' },
  { key: 'sudo', label: 'sudo password' },
];

export interface RunPasswordsFieldsProps {
  value: RunPasswords;
  onChange: (next: RunPasswords) => void;
  disabled?: boolean;
  /** Open at first: a re-run of a run that was given passwords. */
  defaultExpanded?: boolean;
}

/**
 * The passwords a run is started with, as AWX prompts for a machine credential at launch: the
 * SSH login's and sudo's, over the hosts' own settings, for this run only and never stored.
 * Folded away by default: most hosts have theirs in their settings or the credentials store.
 */
export function RunPasswordsFields({
  value,
  onChange,
  disabled,
  defaultExpanded,
}: RunPasswordsFieldsProps) {
  const given = value.ssh !== '' || value.sudo !== '';
  return (
    <Accordion
      defaultExpanded={defaultExpanded === true || given}
      disableGutters
      variant="outlined"
      data-testid="run-passwords"
    >
      <AccordionSummary expandIcon={<ExpandMoreIcon />}>
        <Typography variant="body2">Passwords for this run{given ? ' (given)' : ''}</Typography>
      </AccordionSummary>
      <AccordionDetails>
        <Stack spacing={2}>
          <Typography variant="body2" color="text.secondary">
            Used over the hosts’ own settings, for this run only, and never stored. Leave them empty
            to use the hosts’ settings.
          </Typography>
          {PASSWORDS.map(({ key, label }) => (
            <TextField
              key={key}
              type="password"
              label={label}
              name={`run-${key}-password`}
              value={value[key]}
              onChange={(e) => onChange({ ...value, [key]: e.target.value })}
              disabled={disabled}
              autoComplete="new-password"
              size="small"
              fullWidth
            />
          ))}
        </Stack>
      </AccordionDetails>
    </Accordion>
  );
}
