/**
 * Everything that happens in a run, as one discriminated union: the bus, the SSE stream, the CLI
 * and the web all speak it (STYLE habit 6). Defined once, in the API contract.
 */
export type {
  DeliveredEvent,
  RunEvent,
  RunEventOf,
  RunEventType,
  RunSummary,
} from '@minke/contract';
