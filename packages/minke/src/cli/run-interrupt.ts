import type { RunServices } from '../operations/start-run.js';
import { stopRun } from '../operations/stop-run.js';

/** The Ctrl-C handling of a local `minke run`, until the run has finished. */
export interface RunInterrupt {
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
 */
export function stopRunOnInterrupt(
  services: Pick<RunServices, 'project' | 'executor'>,
  runId: number,
  stderr: NodeJS.WritableStream = process.stderr,
): RunInterrupt {
  let presses = 0;
  const pending = new Set<Promise<void>>();
  const onSigint = () => {
    presses++;
    stderr.write(presses === 1 ? '\nstopping (Ctrl-C again kills)\n' : '\nkilling\n');
    if (presses >= 3) process.exit(130);
    const stop = stopRun(services, runId)
      .then(
        () => undefined,
        (error: unknown) => {
          stderr.write(`could not stop run ${runId}: ${(error as Error).message}\n`);
        },
      )
      .finally(() => pending.delete(stop));
    pending.add(stop);
  };
  process.on('SIGINT', onSigint);
  return {
    settled: async () => {
      // A stop that ends the run may still be writing its audit row: wait for all of them.
      while (pending.size > 0) await Promise.all(pending);
    },
    dispose: () => void process.off('SIGINT', onSigint),
  };
}
