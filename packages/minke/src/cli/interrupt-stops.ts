/** The Ctrl-C handling of a `minke run`, from just before its start until it has finished. */
export interface RunInterrupt {
  /** The run has started: presses so far stop it now, later ones as they come. */
  watch(runId: number): void;
  /** Resolves when every stop asked so far is done. */
  settled(): Promise<void>;
  /** Stops listening for Ctrl-C. */
  dispose(): void;
}

/**
 * Ctrl-C once stops the run (waiting sessions are canceled, running ones end after their current
 * command); twice kills what still runs; a third time leaves at once. `stop` asks for one stop
 * (the run's first is a soft stop, the next a kill), on the project or through a server.
 *
 * It listens from before the run is asked for: a press while the run was being started would
 * otherwise end the command by the signal's default and leave the run going. Such a press is kept
 * and acted on once the run has its id. Stops go one after the other, so a second press is a kill.
 */
export function stopsOnInterrupt(
  stop: (runId: number) => Promise<unknown>,
  stderr: NodeJS.WritableStream = process.stderr,
  /** Where SIGINT comes from: this process (a test gives an emitter of its own). */
  signals: Pick<NodeJS.EventEmitter, 'on' | 'off'> = process,
): RunInterrupt {
  let presses = 0;
  let runId: number | undefined;
  /** Presses made before the run had an id. */
  let early = 0;
  let stops: Promise<void> = Promise.resolve();
  let pending = 0;
  const stopOnce = (id: number) => {
    pending++;
    stops = stops
      .then(() => stop(id))
      .then(
        () => undefined,
        (error: unknown) => {
          stderr.write(`could not stop run ${id}: ${(error as Error).message}\n`);
        },
      )
      .finally(() => pending--);
  };
  const onSigint = () => {
    presses++;
    stderr.write(presses === 1 ? '\nstopping (Ctrl-C again kills)\n' : '\nkilling\n');
    if (presses >= 3) process.exit(130);
    if (runId === undefined) early++;
    else stopOnce(runId);
  };
  signals.on('SIGINT', onSigint);
  return {
    watch: (id) => {
      runId = id;
      for (; early > 0; early--) stopOnce(id);
    },
    settled: async () => {
      // A stop that ends the run may still be writing its audit row: wait for all of them.
      while (pending > 0) await stops;
    },
    dispose: () => void signals.off('SIGINT', onSigint),
  };
}
