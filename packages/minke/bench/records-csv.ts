// npm run bench -- records [--rows N] [--database sqlite|postgres]
//
// CSV export and import at size, through the operations the API and the CLI call: N hosts and a
// server on each (a ref to its host), added by importing CSV (hosts by name, then servers naming
// their hosts); the servers exported; the export imported back unchanged (every row read and
// compared, nothing written); then imported with every server's role changed (N audited
// writes); then one server's changes read back from the audit log, as its Changes tab does. Time
// and the process's peak RSS after each step. Figures only; nothing asserted.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { POSTGRES_URL } from '../test-support/databases.js';
import { dropSchema } from '../test-support/postgres-schemas.js';
import { recordHistory } from '../src/audit/record-history.js';
import { localOperator } from '../src/auth/run-user.js';
import { resolveConfig } from '../src/config/resolve-config.js';
import { defineModel } from '../src/model/define-model.js';
import { f } from '../src/model/fields.js';
import { exportRecordsCsv } from '../src/operations/export-records.js';
import { importRecordsCsv } from '../src/operations/import-records.js';
import type { Project } from '../src/operations/project.js';
import { openProject } from '../src/runtime/open-project.js';

const Server = defineModel('Server', {
  fields: {
    host: f.ref('Host', { unique: true }),
    role: f.enum(['web', 'db']),
    notes: f.text({ optional: true }),
  },
  hostLookup: 'host',
  display: ['host.name'],
});

const everything = { actor: localOperator, mayView: () => true };

async function imported(project: Project, model: string, csv: string): Promise<string> {
  const report = await importRecordsCsv(project, model, csv, { ...everything, dryRun: false });
  return `${report.added} added, ${report.changed} changed, ${report.unchanged} unchanged`;
}

async function exported(project: Project, model: string): Promise<string> {
  const csv = await exportRecordsCsv(project, model, {}, { mayView: () => true });
  let text = '';
  for await (const piece of csv.text) text += piece;
  return text;
}

export async function benchRecordsCsv(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      rows: { type: 'string', default: '10000' },
      database: { type: 'string', default: 'sqlite' },
    },
  });
  const rows = Number(values.rows);
  if (values.database !== 'sqlite' && values.database !== 'postgres')
    throw new Error(`--database must be sqlite or postgres, got ${values.database}`);
  console.log(
    `machine: ${cpus().length} cores (${cpus()[0]?.model.trim() ?? '?'}), Node ${process.version}, load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  const dir = mkdtempSync(join(tmpdir(), 'minke-bench-records-'));
  const postgres = values.database === 'postgres';
  const schema = postgres ? `bench_records_${randomBytes(6).toString('hex')}` : undefined;
  const config = resolveConfig(
    {
      database: postgres ? POSTGRES_URL : `sqlite:${join(dir, 'bench.db')}`,
      models: [Server],
    },
    { projectDir: dir, configFile: 'bench' },
    {},
  );
  console.log(`database: ${values.database}, ${rows} rows`);
  const project = await openProject(config, { migrate: true, ...(schema ? { schema } : {}) });
  const step = async (what: string, work: () => Promise<string>) => {
    const started = performance.now();
    const said = await work();
    const seconds = ((performance.now() - started) / 1000).toFixed(2);
    const peak = Math.round(process.resourceUsage().maxRSS / 1024);
    console.log(`${what}: ${seconds} s (${said}; peak RSS ${peak} MB)`);
  };
  try {
    const names = Array.from({ length: rows }, (_, i) => `node-${String(i).padStart(6, '0')}`);
    await step('import hosts (adds)', () =>
      imported(project, 'Host', `name,port\n${names.map((name) => `${name},22`).join('\n')}\n`),
    );
    await step('import servers naming their hosts (adds)', () =>
      imported(project, 'Server', `host,role\n${names.map((name) => `${name},web`).join('\n')}\n`),
    );
    let csv = '';
    await step('export servers', async () => {
      csv = await exported(project, 'Server');
      return `${(csv.length / 1024 / 1024).toFixed(1)} MB`;
    });
    await step('import the export back (unchanged)', () => imported(project, 'Server', csv));
    await step('import with every role changed', () =>
      imported(project, 'Server', csv.replaceAll(',web,', ',db,')),
    );
    await step("one server's changes (an object's Changes tab), 50 servers", async () => {
      const times: number[] = [];
      for (let i = 0; i < 50; i++) {
        const id = 1 + Math.floor((i * rows) / 50);
        const started = performance.now();
        const page = await recordHistory(project.database, 'Server', id, { limit: 25, offset: 0 });
        times.push(performance.now() - started);
        if (page.total !== 2) throw new Error(`server ${id}: ${page.total} changes, not 2`);
      }
      times.sort((a, b) => a - b);
      const ms = (at: number) => (times[Math.floor(at * (times.length - 1))] ?? 0).toFixed(2);
      return `median ${ms(0.5)} ms, p95 ${ms(0.95)} ms, audit log of ${3 * rows} rows`;
    });
  } finally {
    await project.close();
    if (schema) await dropSchema(schema);
    rmSync(dir, { recursive: true, force: true });
  }
}
