import {
  Alert,
  FormControl,
  FormHelperText,
  InputLabel,
  ListSubheader,
  MenuItem,
  Select,
} from '@mui/material';
import { timeLimitText, type SessionMeta } from '@minke/contract';
import type { SessionGroup } from './session-groups.js';
import { SessionName } from './session-name.js';

export interface SessionPickerProps {
  groups: readonly SessionGroup[];
  /** The sessions have loaded (an empty list then means none may run here). */
  loaded: boolean;
  value: string;
  session: SessionMeta | undefined;
  onChange: (name: string) => void;
}

/** The session select: grouped, each by its verbose name with the class name beside it. */
export function SessionPicker({ groups, loaded, value, session, onChange }: SessionPickerProps) {
  if (loaded && groups.length === 0)
    return (
      <Alert severity="info" data-testid="no-sessions">
        You may not run any session on this model.
      </Alert>
    );
  return (
    <FormControl fullWidth size="small">
      <InputLabel id="session-picker-label">Session</InputLabel>
      <Select
        labelId="session-picker-label"
        id="session-picker"
        label="Session"
        value={value}
        onChange={(e) => onChange(e.target.value)}
        data-testid="session-picker"
        renderValue={() =>
          session ? <SessionName name={session.name} verboseName={session.verboseName} /> : ''
        }
        MenuProps={{ slotProps: { paper: { 'data-testid': 'session-menu' } as object } }}
      >
        {groups.flatMap((group) => [
          ...(group.name
            ? [<ListSubheader key={`g-${group.name}`}>{group.name}</ListSubheader>]
            : []),
          ...group.sessions.map((s) => (
            <MenuItem
              key={s.name}
              value={s.name}
              title={s.description ?? ''}
              data-session={s.name}
              sx={group.name ? { pl: 3 } : undefined}
            >
              <SessionName name={s.name} verboseName={s.verboseName} />
            </MenuItem>
          )),
        ])}
      </Select>
      {session?.description ? <FormHelperText>{session.description}</FormHelperText> : null}
      {session?.timeoutMs ? (
        <FormHelperText data-testid="session-time-limit">
          Time limit {timeLimitText(session.timeoutMs)} per object: past it the session is stopped
          and fails.
        </FormHelperText>
      ) : null}
    </FormControl>
  );
}
