import { List as MuiList, ListItemButton, ListItemText, Typography } from '@mui/material';
import type { SlowSession } from '@minke/contract';
import { Link } from 'react-router-dom';
import { filteredList } from './use-api.js';

function seconds(ms: number): string {
  return ms >= 60_000 ? `${(ms / 60_000).toFixed(1)} min` : `${(ms / 1000).toFixed(1)} s`;
}

/** The sessions whose slowest run this week took longest; each opens them in the history. */
export function SlowestSessions({
  sessions,
  since,
}: {
  sessions: readonly SlowSession[];
  since: string;
}) {
  if (sessions.length === 0) {
    return <Typography variant="body2">No finished sessions this week.</Typography>;
  }
  return (
    <MuiList dense disablePadding>
      {sessions.map((session) => (
        <ListItemButton
          key={session.session}
          component={Link}
          to={filteredList('session-records', { session: session.session, since })}
          data-testid="slow-session"
        >
          <ListItemText
            primary={session.verboseName}
            secondary={`${session.session} · slowest ${seconds(session.slowestMs)} · average ${seconds(session.averageMs)} · ${session.runs} runs`}
          />
        </ListItemButton>
      ))}
    </MuiList>
  );
}
