import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { backendFactories } from '../../test-support/databases.js';
import { defineModel } from '../model/define-model.js';
import { f } from '../model/fields.js';
import { compileFilter } from './compile-filter.js';
import { parseWhere } from './parse-where.js';
import { readPage, type RowCondition } from './read-page.js';

const tmp = mkdtempSync(join(tmpdir(), 'minke-read-page-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const Server = defineModel('Server', {
  fields: { host: f.ref('Host'), name: f.text(), rack: f.int({ optional: true }) },
  hostLookup: 'host',
  ordering: ['name'],
});

const FILTERS = [
  'rack = 3',
  'not rack = 3',
  'rack != 3',
  'rack is null or rack >= 5',
  'host.name = host-4',
  'host.groups.name = even and name ~ "1"',
  'not host.name in (host-1, host-2)',
];
// The model's own order (read in list order when many match), and another (always sorted).
const ORDERS = [undefined, ['name'], ['rack', '-name']];

describe.each(backendFactories(() => tmp))('a page of records on $name', ({ make }) => {
  it('is the same page whether read through the filter and sorted, or read in list order', async () => {
    const backend = make();
    const project = await backend.open([Server]);
    try {
      await project.hosts.addGroup({ name: 'even' });
      const hostIds: number[] = [];
      for (let i = 1; i <= 12; i++) {
        const host = await project.hosts.add({
          name: `host-${i}`,
          groups: i % 2 === 0 ? ['even'] : [],
        });
        hostIds.push(host.id);
      }
      // Names that sort differently naturally and by bytes, a rack that is sometimes empty.
      const rows = Array.from({ length: 600 }, (_, i) => ({
        host_id: hostIds[i % hostIds.length],
        name: `srv-${(i * 37) % 600}`,
        rack: i % 11 === 0 ? null : i % 7,
      }));
      for (let i = 0; i < rows.length; i += 200)
        await project.database.db
          .insertInto(Server.table)
          .values(rows.slice(i, i + 200))
          .execute();

      const model = project.models.get('Server');
      const context = { registry: project.models, adapter: project.database.adapter };
      const kind = project.database.adapter.kind;
      for (const where of FILTERS) {
        const filter = parseWhere(where);
        // With the statement's sets, as the lists give them (PostgreSQL hoists each ref path's).
        const conditions: RowCondition[] = [
          (eb, sets) => compileFilter(eb, model, filter, { ...context, sets }),
        ];
        for (const order of ORDERS) {
          for (const offset of [0, 40]) {
            const request = { model, conditions, order, limit: 25, offset };
            const sorted = await readPage(project.database.db, kind, {
              ...request,
              listOrderFrom: Infinity,
            });
            const inListOrder = await readPage(project.database.db, kind, {
              ...request,
              listOrderFrom: 0,
            });
            const shown = { where, order, offset };
            // The count and the rows, against the ids the filter selects read another way.
            const ids = new Set(await project.records.ids('Server', { filter }));
            expect({ ...shown, total: sorted.total }).toEqual({ ...shown, total: ids.size });
            expect(inListOrder.rows.filter((r) => !ids.has(r['id'] as number))).toEqual([]);
            expect({ ...shown, total: sorted.total }).toEqual({
              ...shown,
              total: inListOrder.total,
            });
            expect({ ...shown, ids: inListOrder.rows.map((r) => r['id']) }).toEqual({
              ...shown,
              ids: sorted.rows.map((r) => r['id']),
            });
            if (offset === 0)
              expect({ ...shown, n: sorted.rows.length }).not.toEqual({ ...shown, n: 0 });
          }
          // Past the last match, and a filter that matches nothing: no rows, the right count.
          for (const listOrderFrom of [0, Infinity]) {
            const past = await readPage(project.database.db, kind, {
              ...{ model, conditions, order, limit: 25, offset: 600 },
              listOrderFrom,
            });
            const all = await readPage(project.database.db, kind, {
              ...{ model, conditions, order, limit: 1000, offset: 0 },
              listOrderFrom,
            });
            expect({ where, order, rows: past.rows, total: past.total }).toEqual({
              where,
              order,
              rows: [],
              total: all.rows.length,
            });
          }
        }
      }
      /** The first `limit` rows that `where` selects, in the model's order. */
      const firstOf = (where: string, limit: number) =>
        readPage(project.database.db, kind, {
          model,
          conditions: [
            (eb, sets) => compileFilter(eb, model, parseWhere(where), { ...context, sets }),
          ],
          order: undefined,
          limit,
          offset: 0,
        });
      expect(await firstOf('name = nothing', 25)).toEqual({ rows: [], total: 0 });
      // A page's rows are the model's own columns (the count that came with them is taken off).
      const one = await firstOf('rack = 3', 1);
      expect(Object.keys(one.rows[0] ?? {}).sort()).toEqual(
        Object.keys(
          await project.database.db
            .selectFrom(Server.table)
            .selectAll()
            .limit(1)
            .executeTakeFirstOrThrow(),
        ).sort(),
      );
    } finally {
      await project.close();
      await backend.cleanup();
    }
  });
});
