import type { Executor } from '../executor/executor.js';

/**
 * An executor that takes its first run only once `first` is over: the orphan reaper's look at
 * start, so a run just after a killed one finds the dead run's hosts freed instead of "busy with
 * run N" (which would cancel its sessions). Runs submitted meanwhile are handed over in order;
 * `first` must not reject (the reaper reports its own failures); a submit that throws is
 * reported through `onError`.
 */
export function executorAfter(
  first: Promise<void>,
  executor: Executor,
  onError: (error: unknown) => void,
): Executor {
  let chain = first;
  const ready = () => chain;
  return {
    ...(executor.takesRunTimeConnection === undefined
      ? {}
      : { takesRunTimeConnection: executor.takesRunTimeConnection }),
    submit(plan) {
      chain = chain.then(() => executor.submit(plan)).catch(onError);
    },
    async stop(recordId) {
      await ready();
      return executor.stop(recordId);
    },
    async idle() {
      await ready();
      await executor.idle();
    },
    async close() {
      await ready();
      await executor.close();
    },
  };
}
