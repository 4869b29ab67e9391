import { Alert, Box, Link } from '@mui/material';
import type { HistoryCommand } from '@minke/contract';

const count = (n: number) => n.toLocaleString('en');

/**
 * Says, for each command whose stored output is only its head and tail, how much was left out,
 * with a "Download full output" link per stream (the API streams the whole text as a file).
 * Renders nothing when every command's output is complete.
 */
export function TruncatedOutputNotice({ commands }: { commands: readonly HistoryCommand[] }) {
  const cut = commands.flatMap((command, index) =>
    (['stdout', 'stderr'] as const).flatMap((stream) => {
      const info = command.outputCut?.[stream];
      return info ? [{ command, position: index + 1, stream, info }] : [];
    }),
  );
  if (cut.length === 0) return null;
  return (
    <Alert severity="info" sx={{ py: 0 }} data-testid="output-truncated">
      Long output is kept as its first and last part; the rest was left out here.
      {cut.map(({ command, position, stream, info }) => (
        <Box key={`${command.id}-${stream}`} sx={{ mt: 0.5 }}>
          Command {position} ({stream}): {count(info.droppedLines)} of {count(info.totalLines)}{' '}
          lines ({count(info.droppedBytes)} of {count(info.totalBytes)} bytes) left out.{' '}
          {info.download ? (
            <Link href={info.download} download data-testid="download-full-output">
              Download full output
            </Link>
          ) : (
            <span>The full output was not stored: {info.storeError ?? 'unknown reason'}.</span>
          )}
        </Box>
      ))}
    </Alert>
  );
}
