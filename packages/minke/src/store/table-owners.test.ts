import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { minkeColumnKinds, type MinkeTableName } from './minke-tables.js';

/**
 * Each of Minke's tables has one writer: the store file named here. Everything else reads it, or
 * asks that store to write. Paths are relative to `src/`.
 */
const owners: Record<MinkeTableName, string> = {
  // Hosts are written through the Host model's records (validation, encoding), by HostStore only.
  minke_hosts: 'hosts/host-store.ts',
  minke_host_groups: 'hosts/host-store.ts',
  minke_host_group_members: 'hosts/host-store.ts',
  minke_users: 'users/user-store.ts',
  minke_user_groups: 'users/user-store.ts',
  minke_user_group_members: 'users/user-store.ts',
  minke_user_group_permissions: 'users/user-store.ts',
  minke_user_permissions: 'users/user-store.ts',
  minke_permissions: 'users/permission-store.ts',
  minke_model_schemas: 'model/schema-sync.ts',
  minke_login_sessions: 'auth/login-session-store.ts',
  minke_api_tokens: 'auth/api-token-store.ts',
  minke_credentials: 'credentials/credential-store.ts',
  minke_host_keys: 'hosts/host-key-store.ts',
  minke_audit_log: 'audit/audit-log.ts',
  minke_audit_head: 'audit/audit-log.ts',
  minke_agents: 'facts/agent-store.ts',
  minke_agent_presence: 'facts/agent-store.ts',
  minke_signing_keys: 'facts/signing-key.ts',
  minke_agent_requests: 'facts/request-store.ts',
  minke_agent_request_targets: 'facts/request-store.ts',
  minke_facts: 'facts/fact-store.ts',
  minke_fact_history: 'facts/fact-store.ts',
  minke_session_clears: 'session-clears/session-clear-store.ts',
  minke_policies: 'policies/policy-store.ts',
  minke_policy_results: 'policies/policy-store.ts',
  minke_policy_history: 'policies/policy-store.ts',
  minke_inventory_sources: 'inventory/inventory-store.ts',
  minke_inventory_hosts: 'inventory/inventory-store.ts',
  minke_runs: 'runs/run-store.ts',
  minke_session_records: 'runs/run-store.ts',
  minke_commands: 'runs/run-store.ts',
  minke_messages: 'runs/run-store.ts',
  minke_command_output: 'runs/output-store.ts',
  minke_host_leases: 'executor/host-lease.ts',
  minke_executor_owners: 'executor/executor-owners.ts',
  minke_jobs: 'jobs/job-store.ts',
  minke_job_ticks: 'jobs/job-tick-store.ts',
  minke_rollouts: 'rollout/rollout-store.ts',
  minke_rollout_records: 'rollout/rollout-store.ts',
  minke_notification_deliveries: 'notifications/delivery-store.ts',
  minke_notification_outcomes: 'notifications/delivery-store.ts',
};

/**
 * Files that write tables named at run time: user models' tables (records, schema sync), and a
 * new database's rows as `minke db copy` fills it from another (every table, rows as they are).
 */
const runTimeNameWriters = [
  'records/record-repository.ts',
  'model/schema-sync.ts',
  'store/table-copy.ts',
];

const src = join(dirname(fileURLToPath(import.meta.url)), '..');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'migrations' ? [] : sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

const builderWrite =
  /\.(?:insertInto|updateTable|deleteFrom|replaceInto|mergeInto)\(\s*(['"`])(minke_[a-z_]+)/g;
const sqlWrite = /\b(?:insert\s+into|update|delete\s+from)\s+"?(minke_[a-z_]+)/gi;
const dynamicWrite = /\.(?:insertInto|updateTable|deleteFrom|replaceInto|mergeInto)\(\s*[^'"`\s]/;

/** Which files write which of Minke's tables: table → files. */
function writers(): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const path of sourceFiles(src)) {
    const text = readFileSync(path, 'utf8');
    const file = relative(src, path).split('\\').join('/');
    const tables = [
      ...[...text.matchAll(builderWrite)].map((m) => m[2] as string),
      ...[...text.matchAll(sqlWrite)].map((m) => m[1] as string),
    ];
    for (const table of tables) out.set(table, (out.get(table) ?? new Set()).add(file));
  }
  return out;
}

const relativeImport = /\bfrom\s+'(\.{1,2}\/[^']+)\.js'/g;

/** Which files import each source file (by relative import): file → importers. */
function importersOf(): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const path of sourceFiles(src)) {
    const file = relative(src, path).split('\\').join('/');
    for (const match of readFileSync(path, 'utf8').matchAll(relativeImport)) {
      const target = relative(src, join(dirname(path), `${match[1] as string}.ts`))
        .split('\\')
        .join('/');
      out.set(target, (out.get(target) ?? new Set()).add(file));
    }
  }
  return out;
}

describe("Minke's tables", () => {
  const written = writers();

  it('name an owner for every table', () => {
    expect(Object.keys(owners).sort()).toEqual(Object.keys(minkeColumnKinds).sort());
  });

  it('are written only by their owner', () => {
    const importers = importersOf();
    // A store may keep part of its writing in a module of its own: one that no other file imports.
    const partOf = (file: string, owner: string) => {
      const by = [...(importers.get(file) ?? [])];
      return file === owner || (by.length > 0 && by.every((importer) => importer === owner));
    };
    const strays: string[] = [];
    for (const [table, files] of written) {
      const owner = owners[table as MinkeTableName];
      for (const file of files)
        if (!partOf(file, owner)) strays.push(`${table} written by ${file}`);
    }
    expect(strays).toEqual([]);
  });

  it('are never written through a table name known only at run time', () => {
    const dynamic = sourceFiles(src)
      .filter((path) => dynamicWrite.test(readFileSync(path, 'utf8')))
      .map((path) => relative(src, path).split('\\').join('/'))
      .filter((file) => !runTimeNameWriters.includes(file));
    expect(dynamic).toEqual([]);
  });
});
