import {
  DummyDriver,
  Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  sql,
} from 'kysely';
import { describe, expect, it } from 'vitest';
import { HoistedSets } from './hoisted-sets.js';

// Kysely's compile-only set-up: the SQL a statement would send to PostgreSQL, with no server.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const db = new Kysely<any>({
  dialect: {
    createAdapter: () => new PostgresAdapter(),
    createDriver: () => new DummyDriver(),
    createIntrospector: (kysely) => new PostgresIntrospector(kysely),
    createQueryCompiler: () => new PostgresQueryCompiler(),
  },
});

describe('HoistedSets', () => {
  it('writes each set once however often a statement tests it, and one set per subquery', () => {
    const sets = new HoistedSets();
    const servers = (rack: number) =>
      db.selectFrom('servers').select('servers.id').where('servers.rack', '=', rack);
    // The count and two pages each test rows against the servers of rack 3; one also rack 4.
    const statements = [0, 1, 2].map((n) =>
      db
        .selectFrom('services')
        .selectAll()
        .where((eb) =>
          eb.and([
            sets.in(eb, 'services.server_id', servers(3)),
            ...(n === 2 ? [sets.in(eb, 'services.backup_id', servers(4))] : []),
          ]),
        ),
    );
    const definitions = sets.definitions();
    expect(definitions).toHaveLength(2);
    const compiled = sql`WITH ${sql.join(definitions)} SELECT 1`.compile(db);
    expect(compiled.sql).toBe(
      'WITH "minke_set_0"(v) AS MATERIALIZED (select "servers"."id" from "servers" where "servers"."rack" = $1), ' +
        '"minke_set_1"(v) AS MATERIALIZED (select "servers"."id" from "servers" where "servers"."rack" = $2) SELECT 1',
    );
    expect(compiled.parameters).toEqual([3, 4]);
    expect(statements[0]?.compile().sql).toBe(
      'select * from "services" where "services"."server_id" in (SELECT v FROM "minke_set_0")',
    );
  });
});
