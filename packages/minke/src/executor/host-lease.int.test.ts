import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addManyHosts } from '../../test-support/many-hosts.js';
import { backendFactories } from '../../test-support/databases.js';
import type { OpenedProject } from '../runtime/open-project.js';
import { HostLeases } from './host-lease.js';

const tmp = mkdtempSync(join(tmpdir(), 'minke-host-lease-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** More hosts than one statement takes (500): taking them all needs two. */
const HOSTS = 501;

describe.each(backendFactories(() => tmp))(
  'taking many host leases at once on $name',
  ({ make }) => {
    let project: OpenedProject;
    let leases: HostLeases;
    const hostIds: number[] = [];

    beforeAll(async () => {
      project = await make().open([]);
      hostIds.push(...(await addManyHosts(project, 'many', HOSTS)));
      leases = new HostLeases(project.database, 60_000);
    }, 120_000);
    afterAll(() => project.close());

    it('takes the free, the expired and its own, and leaves the one another holder keeps', async () => {
      const [held, expired, ours] = hostIds as [number, number, number];
      expect(await leases.acquire(held, 'other-process', 1)).toBe(true);
      expect(await leases.acquire(expired, 'crashed-process', 2)).toBe(true);
      await project.database.db
        .updateTable('minke_host_leases')
        .set({ expires_at: project.database.adapter.encodeDate(new Date(Date.now() - 1000)) })
        .where('host_id', '=', expired)
        .execute();
      expect(await leases.acquire(ours, 'this-run', 3)).toBe(true);

      const taken = await leases.acquireMany(hostIds, 'this-run', 3);

      expect(taken.size).toBe(HOSTS - 1);
      expect(taken.has(held)).toBe(false);
      expect(taken.has(expired)).toBe(true);
      expect(taken.has(hostIds[HOSTS - 1] as number)).toBe(true);
      expect(await leases.holder(held)).toMatchObject({ owner: 'other-process', runId: 1 });
      expect(await leases.holder(expired)).toMatchObject({ owner: 'this-run', runId: 3 });
      // A second look by another holder finds every one of them taken.
      expect((await leases.acquireMany(hostIds, 'late-run', 4)).size).toBe(0);
    });
  },
);
