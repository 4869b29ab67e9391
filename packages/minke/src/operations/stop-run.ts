import { recordAudit } from '../audit/audit-log.js';
import { NotFoundError } from '../errors.js';
import type { StopOutcome } from '../executor/executor.js';
import { RunStore } from '../runs/run-store.js';
import type { RunServices } from './start-run.js';

/**
 * What the audit log calls a stop: `run.kill` when it killed a running command (a stop after a
 * soft stop), `run.stop` otherwise, so that the log tells the two presses apart.
 */
export function stopAction(outcomes: readonly StopOutcome[]): 'run.stop' | 'run.kill' {
  return outcomes.includes('killing') ? 'run.kill' : 'run.stop';
}

/**
 * Stops every session record of a run that has not finished: waiting ones are canceled, running
 * ones stop after their current command; a second stop kills what still runs (the executor's
 * semantics, record by record). Audited as `run.stop`, or `run.kill` when it killed something.
 */
export async function stopRun(
  services: Pick<RunServices, 'project' | 'executor'>,
  runId: number,
): Promise<{ recordId: number; outcome: StopOutcome }[]> {
  const runs = new RunStore(services.project.database);
  if (!(await runs.hasRun(runId))) throw new NotFoundError(`run ${runId} does not exist`);
  const records = await runs.unfinishedRecords(runId);
  // Waiting records first, so that none starts while the running ones are being stopped.
  records.sort(
    (a, b) => Number(b.processState === 'initialized') - Number(a.processState === 'initialized'),
  );
  const outcomes: { recordId: number; outcome: StopOutcome }[] = [];
  for (const record of records) {
    outcomes.push({ recordId: record.id, outcome: await services.executor.stop(record.id) });
  }
  await recordAudit(services.project.database, {
    action: stopAction(outcomes.map((entry) => entry.outcome)),
    targetType: 'run',
    targetId: runId,
    after: { records: outcomes },
  });
  return outcomes;
}

/** Stops one session record (the executor's semantics), recorded in the audit log. */
export async function stopSessionRecord(
  services: Pick<RunServices, 'project' | 'executor'>,
  recordId: number,
): Promise<StopOutcome> {
  const outcome = await services.executor.stop(recordId);
  await recordAudit(services.project.database, {
    action: stopAction([outcome]),
    targetType: 'session_record',
    targetId: recordId,
    after: { outcome },
  });
  return outcome;
}
