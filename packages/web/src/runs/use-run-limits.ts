import { useState } from 'react';
import type { RunLimitFieldsProps } from './time-limit-field.js';
import { timeLimitMsOf } from './time-limit.js';

/** A run's two time limits as a dialog or the job editor holds them. */
export interface RunLimits {
  /** Per object, in ms: null for none, undefined while its text is not a limit. */
  timeoutMs: number | null | undefined;
  /** The whole run's, likewise. */
  runTimeoutMs: number | null | undefined;
  /** Both texts are limits (or empty): the run or the job may be sent. */
  valid: boolean;
  /** The texts as typed and their setters, as `RunLimitFields` takes them. */
  fields: Pick<RunLimitFieldsProps, 'perObject' | 'wholeRun' | 'onPerObject' | 'onWholeRun'>;
}

/** The two limit fields' state, starting from the texts given (a run's or a job's limits). */
export function useRunLimits(perObject = '', wholeRun = ''): RunLimits {
  const [perObjectText, setPerObject] = useState(perObject);
  const [wholeRunText, setWholeRun] = useState(wholeRun);
  const timeoutMs = timeLimitMsOf(perObjectText);
  const runTimeoutMs = timeLimitMsOf(wholeRunText);
  return {
    timeoutMs,
    runTimeoutMs,
    valid: timeoutMs !== undefined && runTimeoutMs !== undefined,
    fields: {
      perObject: perObjectText,
      wholeRun: wholeRunText,
      onPerObject: setPerObject,
      onWholeRun: setWholeRun,
    },
  };
}
