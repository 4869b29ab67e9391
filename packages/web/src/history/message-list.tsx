import { Box } from '@mui/material';
import type { MessageKind, MessageLevel } from '@minke/contract';

const LEVEL_STYLE: Record<MessageLevel, { border: string; bg: string }> = {
  info: { border: '#79aec8', bg: '#f4f8fa' },
  warning: { border: '#e5a50a', bg: '#fcf8e3' },
  error: { border: '#ba2121', bg: '#f8e6e6' },
};

export interface ShownMessage {
  level: MessageLevel;
  kind: MessageKind;
  text: string;
}

/** A session's messages: info, warning, error; preformatted, tables and commands in a fixed font. */
export function MessageList({ messages }: { messages: readonly ShownMessage[] }) {
  if (messages.length === 0) return null;
  return (
    <Box component="ul" sx={{ listStyle: 'none', p: 0, m: 0 }} data-testid="messages">
      {messages.map((message, i) => {
        const style = LEVEL_STYLE[message.level] ?? LEVEL_STYLE.info;
        const fixed = message.kind !== 'text';
        return (
          <Box
            component="li"
            key={i}
            data-level={message.level}
            sx={{
              borderLeft: `4px solid ${style.border}`,
              bgcolor: style.bg,
              px: 1,
              py: 0.5,
              mb: 0.5,
              ...(fixed
                ? { fontFamily: 'monospace', whiteSpace: 'pre', overflowX: 'auto', fontSize: 12 }
                : { whiteSpace: 'pre-wrap', fontSize: 13 }),
            }}
          >
            {message.text}
          </Box>
        );
      })}
    </Box>
  );
}
