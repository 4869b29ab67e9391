import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { backendFactories } from '../../test-support/databases.js';
import { queryPlan } from '../../test-support/query-plan.js';
import { defineModel } from '../model/define-model.js';
import { f } from '../model/fields.js';
import type { OpenedProject } from '../runtime/open-project.js';
import type { DatabaseHandle } from '../store/transaction.js';
import { orderRecords } from './record-query.js';

const tmp = mkdtempSync(join(tmpdir(), 'minke-natural-index-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const Server = defineModel('Server', {
  fields: { host: f.ref('Host'), name: f.text(), rack: f.int() },
  hostLookup: 'host',
  ordering: ['name'],
});

/** The plan of a list page in the default order, with sorting made as costly as it can be. */
async function planOfDefaultPage(project: OpenedProject, modelName: string): Promise<string> {
  const model = project.models.get(modelName);
  const database: DatabaseHandle = project.database;
  const query = orderRecords(
    database.db.selectFrom(model.table).selectAll(model.table),
    model,
    undefined,
    database.adapter.kind,
  )
    .limit(50)
    .compile();
  return queryPlan(database, query, { indexesOnly: true });
}

describe.each(backendFactories(() => tmp))('natural-order indexes on $name', ({ make }) => {
  it('reads a page of hosts and of a model ordered by a text field off an index, in natural order', async () => {
    const backend = make();
    const project = await backend.open([Server]);
    try {
      for (const name of ['node-10', 'node-2', 'node-1'])
        await project.hosts.add({ name, hostname: '127.0.0.1' });
      const host = await project.hosts.get('node-1');
      for (const name of ['srv-10', 'srv-9', 'srv-100'])
        await project.records.create('Server', { host: host.id, name, rack: 1 });

      const hostPlan = await planOfDefaultPage(project, 'Host');
      const serverPlan = await planOfDefaultPage(project, 'Server');
      if (project.database.adapter.kind === 'sqlite') {
        expect(hostPlan).toContain('USING INDEX minke_hosts_name_natural');
        expect(serverPlan).toContain('USING INDEX model_server_name_natural');
        expect(`${hostPlan}\n${serverPlan}`).not.toContain('TEMP B-TREE');
      } else {
        expect(hostPlan).toContain('Index Scan using minke_hosts_name_natural');
        expect(serverPlan).toContain('Index Scan using model_server_name_natural');
        expect(`${hostPlan}\n${serverPlan}`).not.toMatch(/\bSort\b/);
      }

      expect((await project.hosts.list()).items.map((h) => h.name)).toEqual([
        'node-1',
        'node-2',
        'node-10',
      ]);
      expect((await project.records.list('Server')).items.map((s) => s['name'])).toEqual([
        'srv-9',
        'srv-10',
        'srv-100',
      ]);
    } finally {
      await project.close();
      await backend.cleanup();
    }
  });

  it('drops a field the model was ordered by, index and all', async () => {
    const backend = make();
    const Rack = (fields: Parameters<typeof defineModel>[1]['fields'], ordering: string[]) =>
      defineModel('Rack', { fields, hostLookup: 'host', ordering });
    const first = await backend.open([
      Rack({ host: f.ref('Host'), label: f.text({ optional: true }) }, ['label']),
    ]);
    await first.close();
    const again = await backend.reopen([Rack({ host: f.ref('Host') }, ['id'])], {
      dropColumns: ['Rack.label'],
    });
    try {
      expect(again.applied.changes).toEqual([
        { model: 'Rack', action: 'drop column', column: 'label' },
      ]);
    } finally {
      await again.close();
      await backend.cleanup();
    }
  });
});
