import { Chip } from '@mui/material';

/** Green "online", red "offline": an agent's presence at a glance. */
export function OnlineChip({ online }: { online: boolean }) {
  return (
    <Chip
      size="small"
      label={online ? 'online' : 'offline'}
      color={online ? 'success' : 'error'}
      variant={online ? 'filled' : 'outlined'}
      data-testid="agent-state"
      data-online={String(online)}
    />
  );
}
