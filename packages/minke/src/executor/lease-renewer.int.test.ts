import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addManyHosts } from '../../test-support/many-hosts.js';
import { backendFactories } from '../../test-support/databases.js';
import type { OpenedProject } from '../runtime/open-project.js';
import type { Logger } from '../logger.js';
import { silentLogger } from '../logger.js';
import { HostLeases } from './host-lease.js';
import { LeaseRenewer } from './lease-renewer.js';

const tmp = mkdtempSync(join(tmpdir(), 'minke-lease-renewer-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** More hosts than one renewal statement takes (500): the turn needs two. */
const HOSTS = 501;

describe.each(backendFactories(() => tmp))('lease renewal on $name', ({ make }) => {
  let project: OpenedProject;
  let leases: HostLeases;
  const hostIds: number[] = [];

  beforeAll(async () => {
    project = await make().open([]);
    hostIds.push(...(await addManyHosts(project, 'lease', HOSTS)));
    leases = new HostLeases(project.database, 60_000);
  }, 120_000);
  afterAll(() => project.close());

  async function expiries(owner: string): Promise<Map<number, string>> {
    const rows = await project.database.tables
      .selectFrom('minke_host_leases')
      .select(['host_id', 'expires_at'])
      .where('owner', '=', owner)
      .execute();
    return new Map(rows.map((row) => [Number(row.host_id), String(row.expires_at)]));
  }

  it('extends every lease a holder has in one turn, and tells which one another process took', async () => {
    for (const id of hostIds) expect(await leases.acquire(id, 'worker-a', 1)).toBe(true);
    const before = await expiries('worker-a');
    const errors: object[] = [];
    const logger: Logger = { ...silentLogger, error: (obj) => void errors.push(obj) };
    const renewer = new LeaseRenewer(leases, 'worker-a', 60_000, logger);
    const lost: number[] = [];
    for (const id of hostIds) renewer.hold(id, () => lost.push(id));
    try {
      // Another process takes one host (its lease ran out while this one could not renew it).
      const stolen = hostIds[7] ?? 0;
      await leases.release(stolen, 'worker-a');
      expect(await leases.acquire(stolen, 'worker-b', 2)).toBe(true);
      await new Promise((resolve) => setTimeout(resolve, 20));
      await renewer.renewNow();
      const after = await expiries('worker-a');
      expect(after.size).toBe(HOSTS - 1);
      for (const [id, expiresAt] of after) expect(expiresAt > (before.get(id) ?? '')).toBe(true);
      expect(lost).toEqual([stolen]);
      expect(errors).toEqual([{ hostId: stolen }]);
      expect((await leases.holder(stolen))?.owner).toBe('worker-b');
      expect(renewer.size).toBe(HOSTS - 1);
      // A second turn does not say it again.
      await renewer.renewNow();
      expect(lost).toEqual([stolen]);
    } finally {
      renewer.stop();
    }
  });

  it('renews nothing after the last host is dropped', async () => {
    const renewer = new LeaseRenewer(leases, 'worker-c', 60_000, silentLogger);
    const host = hostIds[0] ?? 0;
    await leases.release(host, 'worker-a');
    expect(await leases.acquire(host, 'worker-c', 3)).toBe(true);
    renewer.hold(host);
    renewer.drop(host);
    await leases.release(host, 'worker-c');
    await renewer.renewNow();
    expect(renewer.size).toBe(0);
    expect(await leases.holder(host)).toBeUndefined();
  });
});
