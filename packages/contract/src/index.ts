/**
 * The Minke REST API as zod schemas: what every route takes and answers, the run events its SSE
 * stream carries, and the status enums. The server validates and serializes with these schemas;
 * the CLI and the web admin take their types from them (`z.infer`), so a change here that a
 * client does not follow fails that client's build.
 *
 * Importing this index builds every schema (about 25 ms). Code that a CLI command runs at start
 * imports the module it needs by path instead (`@minke/contract/states`,
 * `@minke/contract/api/rollout`); the start-up test checks that `minke run` and `hosts list`
 * never run this index.
 */
export * from './states.js';
export * from './run-summary.js';
export * from './session-outcome.js';
export * from './time-limit.js';
export * from './run-events.js';
export * from './api/common.js';
export * from './api/metadata.js';
export * from './api/records.js';
export * from './api/hosts.js';
export * from './api/runs.js';
export * from './api/session-records.js';
export * from './api/users.js';
export * from './api/agents.js';
export * from './api/facts.js';
export * from './api/admin.js';
export * from './api/rerun.js';
export * from './api/rollout.js';
export * from './api/notifications.js';
export * from './api/choices.js';
export * from './api/policies.js';
export * from './api/jobs.js';
export * from './api/dashboard.js';
export * from './api/inventory.js';
export * from './api/fact-trends.js';
