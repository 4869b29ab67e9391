/**
 * A row's colour is its session's outcome (the contract's: `pending` while it waits or runs,
 * `stopped` grey for a stopped or canceled session, not a failure, else its result or `none`);
 * the run page's server-side filter uses the same function.
 */
export { sessionOutcome as rowOutcome, failedCount } from '@minke/contract';
