// npm run bench -- <name> [options]: performance figures, printed; never asserted in tests.
import { benchAgents } from './agents.js';
import { benchApi } from './api.js';
import { benchCli } from './cli-startup.js';
import { benchFanout } from './fanout.js';
import { benchOutput } from './output.js';
import { benchPolicies } from './policies.js';
import { benchQueue } from './queue.js';
import { benchRecordsCsv } from './records-csv.js';
import { benchSchedules } from './schedules.js';

// The browser bench lives with the web admin, whose TypeScript project has the DOM types; a
// computed specifier keeps this project from type-checking it without them.
const uiBench = new URL('../../web/bench/ui.ts', import.meta.url).href;
const benchUi = async (args: string[]) =>
  ((await import(uiBench)) as { benchUi: (args: string[]) => Promise<void> }).benchUi(args);

const benches: Record<string, (args: string[]) => Promise<void>> = {
  agents: benchAgents,
  api: benchApi,
  cli: benchCli,
  fanout: benchFanout,
  output: benchOutput,
  policies: benchPolicies,
  queue: benchQueue,
  records: benchRecordsCsv,
  schedules: benchSchedules,
  ui: benchUi,
};

const [name, ...args] = process.argv.slice(2);
const bench = name === undefined ? undefined : benches[name];
if (!bench) {
  console.error(`usage: npm run bench -- <${Object.keys(benches).join('|')}> [options]`);
  process.exit(2);
}
await bench(args);
