// npm run bench -- api [--records N] [--requests N] [--lines N]
//
// The REST API on SQLite, over real HTTP on 127.0.0.1 (keep-alive fetch, one request at a time):
// N records (inserted in bulk, 2,000 of them with a last session), then a filtered page of 50 as
// a regular user with a bearer token: median and p95 latency. Then event latency: a local-transport
// command prints its wall-clock time in ms; each line's arrival at an SSE client minus that time.
// Figures only; nothing asserted.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ApiTokenStore } from '../src/auth/api-token-store.js';
import { resolveConfig } from '../src/config/resolve-config.js';
import { silentLogger } from '../src/logger.js';
import { defineModel } from '../src/model/define-model.js';
import { f } from '../src/model/fields.js';
import { openProject, type OpenedProject } from '../src/runtime/open-project.js';
import { createRuntime, type Runtime } from '../src/runtime/runtime.js';
import { buildServer } from '../src/server/build-server.js';
import { SingleCommandSession } from '../src/session/builtin-sessions.js';

const Service = defineModel('Service', {
  fields: {
    host: f.ref('Host'),
    name: f.text(),
    kind: f.enum(['web', 'db', 'cache', 'queue']),
    port: f.int(),
    comment: f.text({ optional: true }),
  },
  hostLookup: 'host',
  ordering: ['name'],
});

class SparseTicks extends SingleCommandSession {
  static override workOn = ['Host'];
  static override command = 'for i in $(seq 1 40); do date +%s%3N; sleep 0.1; done';
}

class ChattyTicks extends SingleCommandSession {
  static override workOn = ['Host'];
  static override command = 'for i in $(seq 1 400); do date +%s%3N; sleep 0.005; done';
}

export async function benchApi(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      records: { type: 'string', default: '10000' },
      requests: { type: 'string', default: '500' },
    },
  });
  const recordCount = Number(values.records);
  const requests = Number(values.requests);
  const dir = mkdtempSync(join(tmpdir(), 'minke-bench-api-'));
  const config = resolveConfig(
    {
      database: `sqlite:${join(dir, 'bench.db')}`,
      models: [Service],
      sessions: [SparseTicks, ChattyTicks],
    },
    { projectDir: dir, configFile: 'bench' },
    {},
  );
  const project = await openProject(config, { migrate: true });
  const runtime = createRuntime(project, { quiet: true });
  const app = await buildServer({ project, runtime, logger: silentLogger, webRoot: null });
  try {
    await seed(project, runtime, recordCount);
    const reader = await project.users.create({ username: 'reader', password: 'bench password' });
    await project.permissions.grant(reader.id, [
      'view_service',
      'view_host',
      'run_sparse_ticks',
      'run_chatty_ticks',
    ]);
    const { token } = await new ApiTokenStore(project.database).create({
      userId: reader.id,
      name: 'bench',
    });
    const headers = { authorization: `Bearer ${token}` };
    const base = await app.listen({ host: '127.0.0.1', port: 0 });
    console.log(
      `API at ${base}; ${recordCount} Service records on SQLite (WAL), HTTP over loopback`,
    );

    const where = encodeURIComponent('kind = web and port >= 2000');
    const list = (i: number) =>
      `${base}/api/records/Service?where=${where}&order=-port&limit=50&offset=${(i * 50) % 2000}`;
    const total = (await (await fetch(list(0), { headers })).json()) as { total: number };
    report(
      `list, filter + order + page of 50 (${total.total} match)`,
      await timeRequests(requests, list, headers),
    );
    const failed = (i: number) =>
      `${base}/api/records/Service?lastStatus=error&limit=50&offset=${(i * 50) % 300}`;
    report('list, lastStatus=error + page of 50', await timeRequests(requests, failed, headers));
    const search = (i: number) => `${base}/api/records/Service?search=svc-${i % 97}&limit=50`;
    report('list, search + page of 50', await timeRequests(requests, search, headers));

    report('event latency, a line every 100 ms', await eventLatency(base, headers, 'SparseTicks'));
    report(
      'event latency, a line every ~5 ms (coalesced)',
      await eventLatency(base, headers, 'ChattyTicks'),
    );
  } finally {
    await app.close();
    await runtime.close();
    await project.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function seed(project: OpenedProject, runtime: Runtime, count: number): Promise<void> {
  const started = performance.now();
  const local = await project.hosts.add({ name: 'local', config: { transport: 'local' } });
  const kinds = ['web', 'db', 'cache', 'queue'] as const;
  const rows = Array.from({ length: count }, (_, i) => ({
    host_id: local.id,
    name: `svc-${i}`,
    kind: kinds[i % kinds.length],
    port: 1000 + ((i * 7919) % 60000),
    comment: i % 10 === 0 ? `note ${i}` : null,
  }));
  await project.database.db.transaction().execute(async (trx) => {
    for (let i = 0; i < rows.length; i += 500)
      await trx
        .insertInto('model_service')
        .values(rows.slice(i, i + 500))
        .execute();
  });
  // 2,000 records with a last session, as the executor writes them, 1 in 7 ended in error.
  const objects = Array.from({ length: Math.min(2000, count) }, (_, i) => i + 1);
  const { recordIds } = await runtime.runs.createRun({
    session: 'SparseTicks',
    verboseName: 'Sparse ticks',
    model: 'Service',
    userId: null,
    data: {},
    records: objects.map((id) => ({
      objectId: id,
      objectLabel: `svc-${id - 1}`,
      hostId: local.id,
      hostName: 'local',
    })),
  });
  for (const [index, recordId] of recordIds.entries()) {
    await runtime.runs.finish(recordId, 'completed', index % 7 === 0 ? 'error' : 'success', 10);
  }
  console.log(
    `seeded ${count} records and ${recordIds.length} session records in ${(performance.now() - started).toFixed(0)} ms`,
  );
}

async function timeRequests(
  count: number,
  url: (i: number) => string,
  headers: Record<string, string>,
): Promise<number[]> {
  for (let i = 0; i < 50; i++) await (await fetch(url(i), { headers })).arrayBuffer(); // warm up
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const start = performance.now();
    const response = await fetch(url(i), { headers });
    await response.arrayBuffer();
    if (!response.ok) throw new Error(`${url(i)}: ${response.status}`);
    times.push(performance.now() - start);
  }
  return times;
}

/** Opens the stream, starts the session on `local`, and times each printed line to its arrival. */
async function eventLatency(
  base: string,
  headers: Record<string, string>,
  session: string,
): Promise<number[]> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), 60_000);
  const latencies: number[] = [];
  try {
    const stream = await fetch(`${base}/api/events`, { headers, signal: controller.signal });
    if (!stream.body) throw new Error('no event stream');
    const reader = stream.body.pipeThrough(new TextDecoderStream()).getReader();
    const start = await fetch(`${base}/api/runs`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body: JSON.stringify({ session, model: 'Host', ids: ['local'] }),
    });
    if (start.status !== 201)
      throw new Error(`POST /api/runs: ${start.status} ${await start.text()}`);
    let buffer = '';
    let outputs = 0;
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      const arrived = Date.now();
      buffer += value;
      let end: number;
      let finished = false;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        if (block.includes('event: run.finished')) finished = true;
        if (!block.includes('event: output')) continue;
        outputs++;
        const data = JSON.parse(block.slice(block.indexOf('data: ') + 6)) as { chunk: string };
        for (const line of data.chunk.split('\n'))
          if (/^\d{13}$/.test(line)) latencies.push(arrived - Number(line));
      }
      if (finished) break;
    }
    await reader.cancel();
    console.log(`  ${session}: ${latencies.length} lines in ${outputs} output events`);
    return latencies;
  } finally {
    clearTimeout(timer);
    controller.abort();
  }
}

function report(label: string, times: number[]): void {
  const sorted = [...times].sort((a, b) => a - b);
  const at = (q: number) =>
    sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
  console.log(
    `${label.padEnd(52)} median ${at(0.5).toFixed(1)} ms   p95 ${at(0.95).toFixed(1)} ms   max ${at(1).toFixed(1)} ms   (${sorted.length})`,
  );
}
