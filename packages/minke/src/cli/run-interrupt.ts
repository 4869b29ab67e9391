import type { RunServices } from '../operations/start-run.js';
import { stopRun } from '../operations/stop-run.js';

/** The Ctrl-C handling of a local `minke run`, from just before its start until it has finished. */
export interface RunInterrupt {
  /** The run has started: presses so far stop it now, later ones as they come. */
  watch(runId: number): void;
  /** Resolves when every stop asked so far is done (and in the audit log). */
  settled(): Promise<void>;
  /** Stops listening for Ctrl-C. */
  dispose(): void;
}

/**
 * Ctrl-C once stops the run (waiting sessions are canceled, running ones end after their current
 * command); twice kills what still runs; a third time leaves at once. Each press goes through
 * `stopRun`, the operation the API's stop uses, so it is in the audit log as the API's stop is
 * (`run.stop`, and the kill as its own event), made by this machine's operator.
 *
 * It listens from before the run starts: a press while the run was being started used to end the
 * command by the signal's default (the run went on without it). Such a press is kept and acted on
 * once the run has its id. Stops go one after the other, so a second press is a kill.
 */
export function stopRunOnInterrupt(
  services: Pick<RunServices, 'project' | 'executor'>,
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
  const stop = (id: number) => {
    pending++;
    stops = stops
      .then(() => stopRun(services, id))
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
    else stop(runId);
  };
  signals.on('SIGINT', onSigint);
  return {
    watch: (id) => {
      runId = id;
      for (; early > 0; early--) stop(id);
    },
    settled: async () => {
      // A stop that ends the run may still be writing its audit row: wait for all of them.
      while (pending > 0) await stops;
    },
    dispose: () => void signals.off('SIGINT', onSigint),
  };
}
