// The contract's schemas for a new job, for `minke jobs create` to load when it runs. Imported
// by name from here, not as `await import('@minke/contract')`: the bundled CLI would then carry
// the whole contract, every schema of the API, into each command that loads any of it.
export { jobSelection, newJobBody } from '@minke/contract/api/jobs';
