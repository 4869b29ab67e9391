import type { ProcessState } from '@minke/contract';
import { recordAudit } from '../audit/audit-log.js';
import { NotFoundError } from '../errors.js';
import type { StopOutcome } from '../executor/executor.js';
import type { RunServices } from './start-run.js';

const NOT_DONE: ProcessState[] = ['initialized', 'running', 'stopping'];

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
  const db = services.project.database.tables;
  const run = await db
    .selectFrom('minke_runs')
    .select('id')
    .where('id', '=', runId)
    .executeTakeFirst();
  if (!run) throw new NotFoundError(`run ${runId} does not exist`);
  const rows = await db
    .selectFrom('minke_session_records')
    .select(['id', 'process_state'])
    .where('run_id', '=', runId)
    .where('process_state', 'in', NOT_DONE)
    .orderBy('id')
    .execute();
  // Waiting records first, so that none starts while the running ones are being stopped.
  rows.sort(
    (a, b) => Number(b.process_state === 'initialized') - Number(a.process_state === 'initialized'),
  );
  const outcomes: { recordId: number; outcome: StopOutcome }[] = [];
  for (const row of rows) {
    const recordId = Number(row.id);
    outcomes.push({ recordId, outcome: await services.executor.stop(recordId) });
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
