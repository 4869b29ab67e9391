// npm run bench -- queue [--sessions N] [--hosts H] [--workers W[,W...]] [--concurrency C]
//
// N queued no-op sessions (the `Noop` session of test-support/worker-fixtures.ts: nothing runs
// on the host) on H local-transport hosts (default: one session per host), drained three ways
// against the same PostgreSQL: the in-process executor, and the BullMQ executor on Redis with W
// worker processes (default 1 and 2). Each row is timed from startRun to run.finished (worker
// start-up and host records are not timed). The queue's overhead per session is the BullMQ time
// minus the in-process time, divided by the sessions. Figures only; nothing asserted.
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { measureQueueDrain, type QueueDrainFigures } from '../test-support/queue-bench.js';

interface QueueOptions {
  sessions: number;
  hosts: number;
  workers: number[];
  concurrency: number;
}

function parseOptions(args: string[]): QueueOptions {
  const { values } = parseArgs({
    args,
    options: {
      sessions: { type: 'string', default: '1000' },
      hosts: { type: 'string' },
      workers: { type: 'string', default: '1,2' },
      concurrency: { type: 'string', default: '256' },
    },
    strict: true,
  });
  const int = (name: string, text: string, max: number) => {
    const value = Number(text);
    if (!Number.isInteger(value) || value < 1 || value > max)
      throw new Error(`--${name} must be an integer from 1 to ${max}, got ${text}`);
    return value;
  };
  const sessions = int('sessions', values.sessions, 100_000);
  const hosts = values.hosts === undefined ? sessions : int('hosts', values.hosts, sessions);
  if (sessions % hosts !== 0)
    throw new Error(`--sessions (${sessions}) must be a multiple of --hosts (${hosts})`);
  return {
    sessions,
    hosts,
    workers: values.workers.split(',').map((count) => int('workers', count.trim(), 16)),
    concurrency: int('concurrency', values.concurrency, 4_096),
  };
}

export async function benchQueue(args: string[]): Promise<void> {
  const options = parseOptions(args);
  const items = options.sessions / options.hosts;
  console.log(
    `queue: ${options.sessions} no-op sessions on ${options.hosts} local hosts ` +
      `(${items} per host, one after another), ${options.concurrency} hosts at once per process; ` +
      `PostgreSQL; machine: ${cpus().length} cores, Node ${process.version}\n`,
  );
  const common = { hosts: options.hosts, items, concurrency: options.concurrency };
  const rows: QueueDrainFigures[] = [];
  // Each row has its own schema and queue prefix, removed after it.
  rows.push(await measureQueueDrain({ ...common, executor: 'in-process' }));
  printRows(rows);
  for (const workers of options.workers) {
    rows.push(await measureQueueDrain({ ...common, executor: 'bullmq', workers }));
    printRow(rows.at(-1) as QueueDrainFigures, rows[0] as QueueDrainFigures);
  }
  console.log(
    '\noverhead/session: (BullMQ time - in-process time) / sessions; ' +
      'on a shared or busy machine run it more than once',
  );
}

const columns = [
  ['executor', 12],
  ['workers', 8],
  ['sessions', 9],
  ['total s', 9],
  ['sessions/s', 11],
  ['ms/session', 11],
  ['overhead ms/session', 20],
] as const;

function printRows(rows: QueueDrainFigures[]): void {
  console.log(columns.map(([title, width]) => title.padStart(width)).join(''));
  const base = rows[0];
  for (const row of rows) if (base) printRow(row, base);
}

function printRow(row: QueueDrainFigures, inProcess: QueueDrainFigures): void {
  const overhead =
    row.executor === 'in-process'
      ? '-'
      : ((1000 * (row.seconds - inProcess.seconds)) / row.sessions).toFixed(2);
  const cells = [
    row.executor,
    row.workers === null ? '-' : String(row.workers),
    String(row.sessions),
    row.seconds.toFixed(2),
    row.sessionsPerSecond.toFixed(1),
    row.msPerSession.toFixed(2),
    overhead,
  ];
  console.log(cells.map((cell, i) => cell.padStart(columns[i]?.[1] ?? 0)).join(''));
}
