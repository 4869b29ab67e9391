// One worker of the API bench's `--executor bullmq`, in a process of its own: what `minke worker`
// does (open the project without migrating, the event bus its configuration names, the BullMQ
// worker), on the bench's project. Settings come as JSON in MINKE_BENCH_API_WORKER; it says
// `ready <owner>` on stdout once it takes work and stops, letting its sessions finish, on SIGTERM.
import { createEventBus } from '../src/events/create-event-bus.js';
import { createLogger } from '../src/logger.js';
import { openProject } from '../src/runtime/open-project.js';
import { startScaleOut } from '../src/runtime/scale-out.js';
import { RunStore } from '../src/runs/run-store.js';
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
const stopAsked = new Promise<void>((resolve) => process.once('SIGTERM', () => resolve()));
const project = await openProject(apiBenchConfig(settings.setup), {
  migrate: false,
  schema: settings.schema,
});
const bus = createEventBus(project, logger);
const scaleOut = startScaleOut({
  project,
  runs: new RunStore(project.database),
  bus,
  logger,
  role: 'worker',
  concurrency: settings.concurrency,
});
await Promise.all([bus.ready(), scaleOut.worker?.ready()]);
process.stdout.write(`ready ${scaleOut.worker?.owner ?? ''}\n`);
await stopAsked;
await scaleOut.close(10_000);
await bus.close();
await project.close();
