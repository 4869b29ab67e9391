// Bulk seeding for the API bench: multi-row inserts of 500 in one transaction per table, straight
// into the tables (the record operations check and audit one record at a time, which is not what
// is measured here).
import { randomUUID } from 'node:crypto';
import type { Project } from '../src/operations/project.js';
import { minkeTablesOf } from '../src/store/minke-kysely.js';

const CHUNK = 500;
const at = new Date(Date.UTC(2030, 0, 1));

export interface SeedSizes {
  hosts: number;
  /** Model records in all: one Server per host, the rest Services spread over the servers. */
  records: number;
  /** Hosts on the local transport, in the group `bench-run`: what the live run works on. */
  runHosts: number;
  runs: number;
  /** Session records in all, spread evenly over `runs`. */
  history: number;
}

/** How the run hosts are reached: the local transport, or an OpenSSH server on loopback. */
export interface RunHostConnection {
  hostname: string | null;
  port: number | null;
  user: string | null;
  config: Record<string, unknown>;
}

export const LOCAL_CONNECTION = (): RunHostConnection => ({
  hostname: null,
  port: null,
  user: null,
  config: { transport: 'local' },
});

export const RUN_GROUP = 'bench-run';
export const hostName = (i: number) => `node-${String(i).padStart(5, '0')}`;

async function inChunks<T>(rows: readonly T[], write: (chunk: T[]) => Promise<unknown>) {
  for (let i = 0; i < rows.length; i += CHUNK) await write(rows.slice(i, i + CHUNK));
}

/**
 * Hosts (the first `runHosts` reached as `runHost` says), 20 rack groups, an agent and two facts per
 * host (os-release, packages), one Server per host and Services; returns the hosts' ids in order.
 */
export async function seedFleet(
  project: Project,
  sizes: SeedSizes,
  runHost: (i: number) => RunHostConnection = LOCAL_CONNECTION,
): Promise<number[]> {
  const hostIds: number[] = [];
  await project.database.db.transaction().execute(async (trx) => {
    const tables = minkeTablesOf(trx, project.database.adapter);
    const groups = await tables
      .insertInto('minke_host_groups')
      .values([
        { name: RUN_GROUP, comment: 'the live run' },
        ...Array.from({ length: 20 }, (_, i) => ({ name: `rack-${i}`, comment: null })),
      ])
      .returning(['id', 'name'])
      .execute();
    const groupId = (name: string) => groups.find((g) => g.name === name)?.id as number;
    const names = Array.from({ length: sizes.hosts }, (_, i) => i);
    await inChunks(names, async (chunk) => {
      const hosts = await tables
        .insertInto('minke_hosts')
        .values(
          chunk.map((i) => ({
            name: hostName(i),
            ...(i < sizes.runHosts
              ? runHost(i)
              : { hostname: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, config: {} }),
            comment: `rack-${i % 20}`,
          })),
        )
        .returning(['id'])
        .execute();
      const ids = hosts.map((h) => h.id);
      hostIds.push(...ids);
      await tables
        .insertInto('minke_host_group_members')
        .values(
          ids.flatMap((hostId, k) => {
            const i = chunk[k] as number;
            const rack = { host_id: hostId, group_id: groupId(`rack-${i % 20}`) };
            return i < sizes.runHosts
              ? [rack, { host_id: hostId, group_id: groupId(RUN_GROUP) }]
              : [rack];
          }),
        )
        .execute();
      const agents = await tables
        .insertInto('minke_agents')
        .values(ids.map((hostId, k) => ({ node: hostName(chunk[k] as number), host_id: hostId })))
        .returning(['id'])
        .execute();
      await tables
        .insertInto('minke_facts')
        .values(
          agents.flatMap((agent, k) =>
            factsOf(chunk[k] as number).map((fact) => ({
              ...fact,
              agent_id: agent.id,
              format: 'json',
              collected_at: at,
              result_id: randomUUID(),
            })),
          ),
        )
        .execute();
    });
    const roles = ['app', 'db', 'edge'] as const;
    const servers: number[] = [];
    await inChunks(hostIds, async (chunk) => {
      const rows = await trx
        .insertInto('model_server')
        .values(
          chunk.map((hostId, k) => ({
            host_id: hostId,
            name: `srv-${servers.length + k}`,
            role: roles[(servers.length + k) % roles.length],
            rack: (servers.length + k) % 20,
          })),
        )
        .returning(['id'])
        .execute();
      servers.push(...rows.map((r) => Number(r.id)));
    });
    const kinds = ['web', 'db', 'cache', 'queue'] as const;
    const services = Array.from(
      { length: Math.max(0, sizes.records - servers.length) },
      (_, i) => i,
    );
    await inChunks(services, (chunk) =>
      trx
        .insertInto('model_service')
        .values(
          chunk.map((i) => ({
            server_id: servers[i % servers.length],
            name: `svc-${i}`,
            kind: kinds[i % kinds.length],
            port: 1000 + ((i * 7919) % 60000),
            comment: i % 10 === 0 ? `note ${i}` : null,
          })),
        )
        .execute(),
    );
  });
  return hostIds;
}

function factsOf(i: number): { plugin: string; value: unknown }[] {
  return [
    {
      plugin: 'os-release',
      value: { ID: i % 3 === 0 ? 'ubuntu' : 'debian', VERSION_ID: String(10 + (i % 4)) },
    },
    {
      plugin: 'packages',
      value: Array.from({ length: 8 }, (_, k) => ({ name: `pkg-${(i + k) % 40}`, version: '1.0' })),
    },
  ];
}

/**
 * Finished runs with their session records, as the executor leaves them: every other run the
 * user's (the rest the CLI operator's), on Services and hosts alternately, 1 in 7 in error.
 */
export async function seedHistory(
  project: Project,
  sizes: SeedSizes,
  userId: number,
  hostIds: readonly number[],
): Promise<void> {
  const perRun = Math.max(1, Math.floor(sizes.history / Math.max(1, sizes.runs)));
  const serviceCount = Math.max(1, sizes.records - sizes.hosts);
  await project.database.db.transaction().execute(async (trx) => {
    const tables = minkeTablesOf(trx, project.database.adapter);
    for (let r = 0; r < sizes.runs; r++) {
      const model = r % 2 === 0 ? 'Service' : 'Host';
      const user = r % 2 === 0 ? userId : null;
      const created = new Date(at.getTime() + r * 60_000);
      const finished = new Date(created.getTime() + 30_000);
      const run = await tables
        .insertInto('minke_runs')
        .values({
          session: 'FleetTicks',
          model,
          user_id: user,
          state: 'finished',
          created_at: created,
          finished_at: finished,
          owner: null,
          job_id: null,
        })
        .returning(['id'])
        .executeTakeFirstOrThrow();
      const records = Array.from({ length: perRun }, (_, k) => {
        const n = r * perRun + k;
        const hostIndex = n % hostIds.length;
        const objectId = model === 'Host' ? (hostIds[hostIndex] as number) : 1 + (n % serviceCount);
        return {
          run_id: run.id,
          session: 'FleetTicks',
          verbose_name: 'Fleet ticks',
          model,
          object_id: objectId,
          object_label: model === 'Host' ? hostName(hostIndex) : `svc-${objectId - 1}`,
          host_id: hostIds[hostIndex] as number,
          host_name: hostName(hostIndex),
          user_id: user,
          process_state: 'completed' as const,
          result: n % 7 === 0 ? ('error' as const) : ('success' as const),
          created_at: created,
          started_at: created,
          finished_at: finished,
          duration_ms: 30_000,
        };
      });
      await inChunks(records, (chunk) =>
        tables.insertInto('minke_session_records').values(chunk).execute(),
      );
    }
  });
}
