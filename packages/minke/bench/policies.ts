// npm run bench -- policies [--hosts N] [--policies N] [--changes N] [--selection N] [--runs N]
//                           [--database sqlite|postgres]
//
// Fact policies and form choices at size, on SQLite (or a new schema on the test PostgreSQL): N hosts, each with an agent and two facts
// (os-release, packages), written in bulk (multi-row inserts in one transaction); P policies,
// evaluated on every host when made. Then, C times, one host's facts change (through the fact
// store) and its policies are evaluated (what the gateway's watch does): time per change, median
// and p95. Then the fleet-wide check (`minke policies check`). Then the choices of a fromFacts,
// a fromField and a fromModel field for a selection of S hosts (as the run dialog asks for them),
// median of R. Figures only; nothing asserted.
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { PROTOCOL_VERSION, type Result } from '@minke/protocol';
import { z } from 'zod';
import { POSTGRES_URL } from '../test-support/databases.js';
import { dropSchema } from '../test-support/postgres-schemas.js';
import { localOperator } from '../src/auth/run-user.js';
import { fromFacts, fromField, fromModel } from '../src/choices/choice-source.js';
import { loadChoiceSelection } from '../src/choices/choice-selection.js';
import { evaluateChoices } from '../src/choices/evaluate-choices.js';
import { listChoices } from '../src/choices/list-choices.js';
import { selectedIds } from '../src/choices/selected-ids.js';
import { resolveConfig } from '../src/config/resolve-config.js';
import { AgentStore } from '../src/facts/agent-store.js';
import { FactStore } from '../src/facts/fact-store.js';
import { evaluatePolicies } from '../src/policies/evaluate-policies.js';
import { checkPolicies, savePolicy } from '../src/policies/policy-operations.js';
import type { Project } from '../src/operations/project.js';
import { openProject } from '../src/runtime/open-project.js';
import { Session } from '../src/session/session.js';
import { minkeTablesOf } from '../src/store/minke-kysely.js';

const form = z.object({
  pkg: z.array(z.string()).meta({ choices: fromFacts('packages.*.name') }),
  rack: z.string().meta({ choices: fromField('comment') }),
  peer: z.number().meta({ choices: fromModel('Host', { label: 'name' }) }),
});
class Install extends Session<typeof form> {
  static override workOn = ['Host'];
  static override form = form;
  override async process() {}
}

let clock = Date.UTC(2030, 0, 1);
function result(node: string, plugin: string, value: unknown): Result {
  const at = new Date((clock += 1000)).toISOString();
  return {
    v: PROTOCOL_VERSION,
    id: randomUUID(),
    ok: true,
    format: 'json',
    value,
    startedAt: at,
    finishedAt: at,
    durationMs: 0,
    exitCode: 0,
  } as unknown as Result;
}

const facts = (i: number, version: number) => [
  { VERSION_ID: String(version), ID: i % 3 === 0 ? 'ubuntu' : 'debian' },
  Array.from({ length: 8 }, (_, k) => ({ name: `pkg-${(i + k) % 40}`, version: '1.0' })),
];

const ms = (t: number) => `${t.toFixed(1)} ms`;
function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

/** N hosts, an agent each and their two facts, in multi-row inserts of 500 in one transaction. */
async function seed(project: Project, names: readonly string[]): Promise<void> {
  const at = new Date(clock);
  await project.database.db.transaction().execute(async (trx) => {
    const tables = minkeTablesOf(trx, project.database.adapter);
    for (let i = 0; i < names.length; i += 500) {
      const chunk = names.slice(i, i + 500);
      const hosts = await tables
        .insertInto('minke_hosts')
        .values(chunk.map((name, k) => ({ name, comment: `rack-${(i + k) % 25}` })))
        .returning(['id', 'name'])
        .execute();
      const agents = await tables
        .insertInto('minke_agents')
        .values(hosts.map((host) => ({ node: host.name, host_id: host.id })))
        .returning(['id'])
        .execute();
      await tables
        .insertInto('minke_facts')
        .values(
          agents.flatMap((agent, k) => {
            const [os, packages] = facts(i + k, 10 + ((i + k) % 4));
            return [
              { plugin: 'os-release', value: os },
              { plugin: 'packages', value: packages },
            ].map((fact) => ({
              ...fact,
              agent_id: agent.id,
              format: 'json',
              collected_at: at,
              result_id: randomUUID(),
            }));
          }),
        )
        .execute();
    }
  });
}

/** Median and p95 of some times, printed. */
function spread(times: number[]): string {
  const sorted = [...times].sort((a, b) => a - b);
  return `median ${ms(percentile(sorted, 50))}, p95 ${ms(percentile(sorted, 95))}`;
}

export async function benchPolicies(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      hosts: { type: 'string', default: '10000' },
      policies: { type: 'string', default: '20' },
      changes: { type: 'string', default: '50' },
      selection: { type: 'string', default: '1000' },
      runs: { type: 'string', default: '20' },
      database: { type: 'string', default: 'sqlite' },
    },
  });
  const hosts = Number(values.hosts);
  const policyCount = Number(values.policies);
  console.log(
    `machine: ${cpus().length} cores (${cpus()[0]?.model.trim() ?? '?'}), Node ${process.version}, load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  const dir = mkdtempSync(join(tmpdir(), 'minke-bench-policies-'));
  if (values.database !== 'sqlite' && values.database !== 'postgres')
    throw new Error(`--database must be sqlite or postgres, got ${values.database}`);
  const postgres = values.database === 'postgres';
  const schema = postgres ? `bench_policies_${randomBytes(6).toString('hex')}` : undefined;
  const config = resolveConfig(
    {
      database: postgres ? POSTGRES_URL : `sqlite:${join(dir, 'bench.db')}`,
      sessions: [Install],
    },
    { projectDir: dir, configFile: 'bench' },
    {},
  );
  console.log(`database: ${values.database}`);
  const project = await openProject(config, { migrate: true, ...(schema ? { schema } : {}) });
  try {
    let started = performance.now();
    const names = Array.from({ length: hosts }, (_, i) => `node-${String(i).padStart(5, '0')}`);
    await seed(project, names);
    console.log(`${hosts} hosts with agents and 2 facts each: ${ms(performance.now() - started)}`);

    started = performance.now();
    for (let p = 0; p < policyCount; p++)
      await savePolicy(project, {
        name: `policy-${p}`,
        where: `facts.os-release.VERSION_ID >= ${10 + (p % 4)} and facts.packages ~ "pkg-${p % 40}"`,
        scope: p % 2 === 0 ? null : 'name ^= node-0',
      });
    console.log(
      `${policyCount} policies made, each evaluated on every host: ${ms(performance.now() - started)}`,
    );

    const store = new FactStore(project.database, new AgentStore(project));
    const times: number[] = [];
    let changed = 0;
    const hostIds = (
      await project.database.tables.selectFrom('minke_hosts').select('id').orderBy('id').execute()
    ).map((r) => r.id);
    for (let c = 0; c < Number(values.changes); c++) {
      const index = (c * 7919) % hosts;
      const node = names[index] as string;
      const [os] = facts(index, c % 2 === 0 ? 9 : 13);
      await store.storeResults([{ ...result(node, 'os-release', os), node, plugin: 'os-release' }]);
      const t0 = performance.now();
      const outcome = await evaluatePolicies(project, { hostIds: [hostIds[index] as number] });
      times.push(performance.now() - t0);
      changed += outcome.changed.length;
    }
    console.log(
      `one host's facts changed, its ${policyCount} policies evaluated (${hosts} hosts, ${times.length} changes, ${changed} pass/fail changes): ${spread(times)}`,
    );

    started = performance.now();
    const check = await checkPolicies(project);
    console.log(
      `full check, ${policyCount} policies on every host (${check.evaluated} host x policy pairs): ${ms(performance.now() - started)}`,
    );

    const selection = hostIds.slice(0, Number(values.selection));
    for (const field of ['pkg', 'rack', 'peer']) {
      const choiceTimes: number[] = [];
      let count = 0;
      let source = '';
      for (let r = 0; r < Number(values.runs); r++) {
        const t0 = performance.now();
        const list = await listChoices(project, {
          session: 'Install',
          field,
          ids: selection,
          user: localOperator,
        });
        choiceTimes.push(performance.now() - t0);
        count = list.items.length;
        source = list.source;
      }
      console.log(
        `choices from ${source} (field ${field}) for ${selection.length} selected hosts (${count} values): ${spread(choiceTimes)}`,
      );
    }
    // Where a listing's time goes: the selection checked, its records read (fromField and
    // fromFunction only), the facts' values counted.
    const phases = { ids: [] as number[], records: [] as number[], facts: [] as number[] };
    for (let r = 0; r < Number(values.runs); r++) {
      let t0 = performance.now();
      const ids = await selectedIds(project, 'Host', selection);
      phases.ids.push(performance.now() - t0);
      t0 = performance.now();
      const loaded = await loadChoiceSelection(project, 'Host', ids);
      phases.records.push(performance.now() - t0);
      t0 = performance.now();
      await evaluateChoices(project, fromFacts('packages.*.name').spec, { ...loaded, objects: [] });
      phases.facts.push(performance.now() - t0);
    }
    console.log(
      `  of which: selection checked ${spread(phases.ids)}; records read ${spread(phases.records)}; fromFacts values ${spread(phases.facts)}`,
    );
  } finally {
    await project.close();
    if (schema) await dropSchema(schema);
    rmSync(dir, { recursive: true, force: true });
  }
}
