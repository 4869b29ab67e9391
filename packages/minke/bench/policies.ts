// npm run bench -- policies [--hosts N] [--policies N] [--changes N] [--selection N]
//
// Fact policies and form choices at size, on SQLite: N hosts, each with an agent and two facts
// (os-release, packages) stored through the fact store; P policies, evaluated on every host when
// made. Then, C times, one host's facts change and its policies are evaluated (what the gateway's
// watch does): time per change. Then the choices of a fromFacts field for a selection of S hosts
// (as the run dialog asks for them). Figures only; nothing asserted.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { PROTOCOL_VERSION, type Result } from '@minke/protocol';
import { z } from 'zod';
import { localOperator } from '../src/auth/run-user.js';
import { fromFacts } from '../src/choices/choice-source.js';
import { listChoices } from '../src/choices/list-choices.js';
import { resolveConfig } from '../src/config/resolve-config.js';
import { AgentStore } from '../src/facts/agent-store.js';
import { FactStore } from '../src/facts/fact-store.js';
import { evaluatePolicies } from '../src/policies/evaluate-policies.js';
import { savePolicy } from '../src/policies/policy-operations.js';
import { openProject } from '../src/runtime/open-project.js';
import { Session } from '../src/session/session.js';

const form = z.object({ pkg: z.array(z.string()).meta({ choices: fromFacts('packages.*.name') }) });
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

export async function benchPolicies(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      hosts: { type: 'string', default: '10000' },
      policies: { type: 'string', default: '20' },
      changes: { type: 'string', default: '50' },
      selection: { type: 'string', default: '1000' },
    },
  });
  const hosts = Number(values.hosts);
  const policyCount = Number(values.policies);
  const dir = mkdtempSync(join(tmpdir(), 'minke-bench-policies-'));
  const config = resolveConfig(
    { database: `sqlite:${join(dir, 'bench.db')}`, sessions: [Install] },
    { projectDir: dir, configFile: 'bench' },
    {},
  );
  const project = await openProject(config, { migrate: true });
  try {
    let started = performance.now();
    const names = Array.from({ length: hosts }, (_, i) => `node-${String(i).padStart(5, '0')}`);
    await project.database.db.transaction().execute(async (trx) => {
      for (let i = 0; i < names.length; i += 500)
        await trx
          .insertInto('minke_hosts')
          .values(names.slice(i, i + 500).map((name) => ({ name })))
          .execute();
    });
    const store = new FactStore(project.database, new AgentStore(project));
    for (let i = 0; i < names.length; i += 500) {
      const batch = names.slice(i, i + 500).flatMap((node, k) => {
        const [os, packages] = facts(i + k, 10 + ((i + k) % 4));
        return [
          { ...result(node, 'os-release', os), node, plugin: 'os-release' },
          { ...result(node, 'packages', packages), node, plugin: 'packages' },
        ];
      });
      await store.storeResults(batch);
    }
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

    const times: number[] = [];
    const hostIds = (
      await project.database.tables.selectFrom('minke_hosts').select('id').execute()
    ).map((r) => r.id);
    for (let c = 0; c < Number(values.changes); c++) {
      const index = (c * 7919) % hosts;
      const node = names[index] as string;
      const [os] = facts(index, c % 2 === 0 ? 9 : 13);
      await store.storeResults([{ ...result(node, 'os-release', os), node, plugin: 'os-release' }]);
      const t0 = performance.now();
      await evaluatePolicies(project, { hostIds: [hostIds[index] as number] });
      times.push(performance.now() - t0);
    }
    times.sort((a, b) => a - b);
    console.log(
      `one host's facts changed, its ${policyCount} policies evaluated (${hosts} hosts): median ${ms(percentile(times, 50))}, p95 ${ms(percentile(times, 95))}`,
    );

    const selection = hostIds.slice(0, Number(values.selection));
    const choiceTimes: number[] = [];
    let count = 0;
    for (let r = 0; r < 20; r++) {
      const t0 = performance.now();
      const list = await listChoices(project, {
        session: 'Install',
        field: 'pkg',
        ids: selection,
        user: localOperator,
      });
      choiceTimes.push(performance.now() - t0);
      count = list.items.length;
    }
    choiceTimes.sort((a, b) => a - b);
    console.log(
      `choices of a fromFacts field for ${selection.length} selected hosts (${count} values with counts): median ${ms(percentile(choiceTimes, 50))}, p95 ${ms(percentile(choiceTimes, 95))}`,
    );
  } finally {
    await project.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
