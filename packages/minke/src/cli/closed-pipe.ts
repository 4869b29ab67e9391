/**
 * `minke facts web-1 | head` closes the pipe while the command still writes: Node reports EPIPE
 * as an 'error' event on the stream, and with no listener the process dies with a stack trace.
 * A reader that has seen enough is not a failure, so the command ends quietly with the exit code
 * it had so far. Installed once, in the CLI's entry, for stdout and stderr alike.
 */
export function endQuietlyOnClosedPipe(
  streams: NodeJS.WriteStream[] = [process.stdout, process.stderr],
): void {
  for (const stream of streams) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
      throw error;
    });
  }
}
