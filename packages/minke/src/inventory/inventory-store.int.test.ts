import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { backendFactories, type TestBackend } from '../../test-support/databases.js';
import type { OpenedProject } from '../runtime/open-project.js';
import { InventoryStore } from './inventory-store.js';

const tmp = mkdtempSync(join(tmpdir(), 'minke-inventory-store-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/**
 * The claim that makes a scheduled sync run once across servers: of several servers firing on
 * one tick, exactly one moves the source's last tick forward; a tick already claimed, or an older
 * one, is nobody's. Owners: a host belongs to one source at a time.
 */
describe.each(backendFactories(() => tmp))('inventory store on $name', ({ make }) => {
  let backend: TestBackend;
  let project: OpenedProject;
  let store: InventoryStore;

  beforeEach(async () => {
    backend = make();
    project = await backend.open([]);
    store = new InventoryStore(project.database);
  });
  afterEach(async () => {
    await project.close();
    await backend.cleanup();
  });

  it('gives each tick to one claimant', async () => {
    const tick = new Date('2030-01-01T00:00:00Z');
    const claims = await Promise.all([1, 2, 3].map(() => store.claimTick('cmdb', tick)));
    expect(claims.filter(Boolean)).toHaveLength(1);
    expect(await store.claimTick('cmdb', tick)).toBe(false);
    expect(await store.claimTick('cmdb', new Date('2029-12-31T23:59:00Z'))).toBe(false);
    expect(await store.claimTick('cmdb', new Date('2030-01-01T00:01:00Z'))).toBe(true);
    expect(await store.claimTick('other', tick)).toBe(true);
  });

  it('keeps one owner per host and counts hosts per source', async () => {
    const a = await project.hosts.add({ name: 'a' });
    const b = await project.hosts.add({ name: 'b' });
    await store.own(a.id, 'cmdb');
    await store.own(b.id, 'cmdb');
    await store.own(b.id, 'cloud');
    await store.setDisabledBySource(a.id, true);
    expect(await store.hostCounts()).toEqual(
      new Map([
        ['cmdb', 1],
        ['cloud', 1],
      ]),
    );
    expect((await store.owners()).get(a.id)).toEqual({
      hostId: a.id,
      source: 'cmdb',
      disabledBySource: true,
    });
    await store.noteSync('cmdb', {
      at: new Date('2030-01-01T00:00:00Z'),
      ok: false,
      error: 'boom',
      counts: null,
    });
    expect((await store.states()).get('cmdb')).toMatchObject({ lastOk: false, lastError: 'boom' });
  });
});
