import { List as MuiList, ListItemButton, ListItemText, Typography } from '@mui/material';
import type { FailingHost } from '@minke/contract';
import { Link } from 'react-router-dom';
import { filteredList } from './use-api.js';

/** The hosts with the most sessions ended in error this week; each opens those sessions. */
export function FailingHosts({ hosts, since }: { hosts: readonly FailingHost[]; since: string }) {
  if (hosts.length === 0) {
    return <Typography variant="body2">No host failed this week.</Typography>;
  }
  return (
    <MuiList dense disablePadding>
      {hosts.map((host) => (
        <ListItemButton
          key={host.hostName}
          component={Link}
          to={filteredList('session-records', { object: host.hostName, status: 'error', since })}
          data-testid="failing-host"
        >
          <ListItemText
            primary={host.hostName}
            secondary={`${host.failures} failed · last ${new Date(host.lastFailureAt).toLocaleString()}`}
          />
        </ListItemButton>
      ))}
    </MuiList>
  );
}
