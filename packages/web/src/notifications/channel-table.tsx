import { Button, Table, TableBody, TableCell, TableHead, TableRow } from '@mui/material';
import SendIcon from '@mui/icons-material/Send';
import { useNotify } from 'react-admin';
import type { ChannelInfo, DeliveryItem } from '@minke/contract';
import { api } from '../api/http.js';

/** The channels of the project's config, each with a "Send test" button. */
export function ChannelTable({
  channels,
  onSent,
}: {
  channels: ChannelInfo[];
  onSent: () => void;
}) {
  const notify = useNotify();
  const sendTest = (name: string) =>
    api<{ delivery: DeliveryItem }>(
      `/api/notifications/channels/${encodeURIComponent(name)}/test`,
      {
        method: 'POST',
      },
    ).then(
      ({ delivery }) => {
        notify(`Test ${delivery.id} queued for ${name}`, { type: 'info' });
        onSent();
      },
      (e: unknown) => notify((e as Error).message, { type: 'error' }),
    );
  return (
    <Table size="small" data-testid="channels">
      <TableHead>
        <TableRow>
          <TableCell>Channel</TableCell>
          <TableCell>Kind</TableCell>
          <TableCell>Sends to</TableCell>
          <TableCell>Global rules</TableCell>
          <TableCell />
        </TableRow>
      </TableHead>
      <TableBody>
        {channels.map((channel) => (
          <TableRow key={channel.name} data-channel={channel.name}>
            <TableCell>{channel.name}</TableCell>
            <TableCell>{channel.kind}</TableCell>
            <TableCell>{channel.target}</TableCell>
            <TableCell>{channel.on.join(', ') || '—'}</TableCell>
            <TableCell align="right">
              <Button
                size="small"
                startIcon={<SendIcon />}
                onClick={() => void sendTest(channel.name)}
              >
                Send test
              </Button>
            </TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}
