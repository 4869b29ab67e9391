import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { backendFactories } from '../../test-support/databases.js';
import { minkeColumnsPlugin } from './minke-columns-plugin.js';

const tmp = mkdtempSync(join(tmpdir(), 'minke-columns-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe.each(backendFactories(() => tmp))('the column plugin on $name', ({ make }) => {
  it('writes booleans, dates and JSON in the stored form and reads them back as JavaScript', async () => {
    const backend = make();
    const project = await backend.open([]);
    try {
      const { tables, db, adapter } = project.database;
      const config = { port: 22, options: ['a', 'b'], nested: { on: true } };
      const { id } = await tables
        .insertInto('minke_hosts')
        .values({ name: 'web1', config, disabled: true })
        .returning('id')
        .executeTakeFirstOrThrow();
      await tables
        .insertInto('minke_agents')
        .values({ node: 'web1', host_id: id, last_seen: new Date('2026-03-04T05:06:07.089Z') })
        .execute();

      const host = await tables
        .selectFrom('minke_hosts')
        .select(['config', 'disabled', 'created_at'])
        .where('id', '=', id)
        .executeTakeFirstOrThrow();
      expect(host.config).toEqual(config);
      expect(host.disabled).toBe(true);
      expect(host.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);

      // Stored as the backend keeps them: what untyped queries and SQL see.
      const raw = await sql<{ config: string; disabled: unknown; last_seen: unknown }>`
        SELECT h.config, h.disabled, a.last_seen FROM minke_hosts h
        JOIN minke_agents a ON a.host_id = h.id`.execute(db);
      expect(JSON.parse(raw.rows[0]!.config)).toEqual(config);
      expect(raw.rows[0]!.disabled).toBe(adapter.encodeBool(true));
      expect(adapter.decodeDate(raw.rows[0]!.last_seen)).toBe('2026-03-04T05:06:07.089Z');

      // An ISO string compares with a date column in its stored form; joins decode both tables.
      const seen = await tables
        .selectFrom('minke_agents as a')
        .innerJoin('minke_hosts as h', 'h.id', 'a.host_id')
        .select(['a.last_seen', 'a.online', 'h.disabled', 'a.plugins'])
        .where('a.last_seen', '>', '2026-03-04T05:06:07.000Z')
        // Kysely types a comparison by the column's read type (a string); the plugin takes a Date too.
        .where('a.last_seen', '<', new Date('2026-03-04T05:06:08Z') as unknown as string)
        .execute();
      expect(seen).toEqual([
        { last_seen: '2026-03-04T05:06:07.089Z', online: false, disabled: true, plugins: [] },
      ]);

      // A string alone compared with a date column is converted too.
      const byText = await tables
        .selectFrom('minke_agents')
        .select('node')
        .where('last_seen', '>=', '2026-03-04T05:06:07.089Z')
        .execute();
      expect(byText).toEqual([{ node: 'web1' }]);

      // A query with nothing to convert is passed on as it is, not copied node by node.
      const plugin = minkeColumnsPlugin(adapter);
      const plain = tables
        .selectFrom('minke_hosts as h')
        .innerJoin('minke_agents as a', 'a.host_id', 'h.id')
        .select(['h.name', 'a.node'])
        .where('h.name', '=', 'web1')
        .where('h.id', 'in', [id, id + 1])
        .toOperationNode();
      expect(plugin.transformQuery({ node: plain, queryId: { queryId: 'plain' } })).toBe(plain);
      const typed = tables
        .selectFrom('minke_hosts')
        .select('name')
        .where('disabled', '=', false)
        .toOperationNode();
      expect(plugin.transformQuery({ node: typed, queryId: { queryId: 'typed' } })).not.toBe(typed);

      await tables
        .updateTable('minke_hosts')
        .set({ disabled: false, config: {}, updated_at: '2026-01-02T03:04:05.006Z' })
        .where('disabled', '=', true)
        .execute();
      expect(
        await tables
          .selectFrom('minke_hosts')
          .select(['disabled', 'config', 'updated_at'])
          .executeTakeFirstOrThrow(),
      ).toEqual({ disabled: false, config: {}, updated_at: '2026-01-02T03:04:05.006Z' });
    } finally {
      await project.close();
      await backend.cleanup();
    }
  });
});
