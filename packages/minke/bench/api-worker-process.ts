// One worker of the API bench's `--executor bullmq`, in a process of its own: what `minke worker`
// does (open the project without migrating, the event bus its configuration names, the BullMQ
// worker), on the bench's project. Settings come as JSON in MINKE_BENCH_API_WORKER; it says
// `ready <owner>` on stdout once it takes work and stops, letting its sessions finish, on SIGTERM.
import { createEventBus } from '../src/events/create-event-bus.js';
import { createLogger } from '../src/logger.js';
import { openProject } from '../src/runtime/open-project.js';
import { serveAsWorker } from '../test-support/serve-as-worker.js';
import { apiBenchConfig, type ApiBenchSetup } from './api-config.js';

export interface ApiWorkerSettings {
  setup: ApiBenchSetup;
  /** The PostgreSQL schema the bench made. */
  schema: string;
  /** Hosts this worker works on at once. */
  concurrency: number;
}

const settings = JSON.parse(process.env['MINKE_BENCH_API_WORKER'] ?? '{}') as ApiWorkerSettings;
const logger = createLogger({ level: process.env['MINKE_LOG_LEVEL'] ?? 'warn' });
const project = await openProject(apiBenchConfig(settings.setup), {
  migrate: false,
  schema: settings.schema,
});
await serveAsWorker({
  project,
  bus: createEventBus(project, logger),
  logger,
  concurrency: settings.concurrency,
  graceMs: 10_000,
});
