import type { RunServices } from '../operations/start-run.js';
import { stopRun } from '../operations/stop-run.js';
import { stopsOnInterrupt, type RunInterrupt } from './interrupt-stops.js';

/**
 * Ctrl-C of a local `minke run` (see `stopsOnInterrupt`). Each press goes through `stopRun`, the
 * operation the API's stop uses, so it is in the audit log as the API's stop is (`run.stop`, and
 * the kill as its own event), made by this machine's operator.
 */
export function stopRunOnInterrupt(
  services: Pick<RunServices, 'project' | 'executor'>,
  stderr?: NodeJS.WritableStream,
  signals?: Pick<NodeJS.EventEmitter, 'on' | 'off'>,
): RunInterrupt {
  return stopsOnInterrupt((runId) => stopRun(services, runId), stderr, signals);
}
