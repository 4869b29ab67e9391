import { Button } from '@mui/material';
import SendIcon from '@mui/icons-material/Send';
import type { ChannelInfo } from '@minke/contract';
import type { ApiColumn } from '../layout/api-table.js';

/** The columns of the channels of the project's config, the last one a "Send test" button. */
export function channelColumns(sendTest: (name: string) => void): ApiColumn<ChannelInfo>[] {
  return [
    { label: 'Channel', cell: (channel) => channel.name, sortBy: (channel) => channel.name },
    { label: 'Kind', cell: (channel) => channel.kind, sortBy: (channel) => channel.kind },
    { label: 'Sends to', cell: (channel) => channel.target },
    { label: 'Global rules', cell: (channel) => channel.on.join(', ') || '—' },
    {
      cell: (channel) => (
        <Button size="small" startIcon={<SendIcon />} onClick={() => sendTest(channel.name)}>
          Send test
        </Button>
      ),
      align: 'right',
      sx: { whiteSpace: 'nowrap' },
    },
  ];
}
