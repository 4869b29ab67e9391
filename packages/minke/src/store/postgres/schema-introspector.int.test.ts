import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { POSTGRES_URL } from '../../../test-support/databases.js';
import { dropSchema, uniqueSchema } from '../../../test-support/postgres-schemas.js';
import type { Database } from '../database.js';
import { migrateToLatest } from '../migrate.js';
import { openPostgres } from './open-postgres.js';

describe('introspection on PostgreSQL', () => {
  const schemas: string[] = [];
  const opened: Database[] = [];
  const open = async () => {
    const schema = uniqueSchema();
    schemas.push(schema);
    const database = await openPostgres({ url: POSTGRES_URL, schema });
    opened.push(database);
    return database;
  };
  afterAll(async () => {
    for (const database of opened) await database.close();
    for (const schema of schemas) await dropSchema(schema);
  });

  it("sees only its own schema's tables, with their columns", async () => {
    const mine = await open();
    const other = await open();
    await migrateToLatest(mine);
    await migrateToLatest(other);
    const tables = await mine.db.introspection.getTables();
    expect(new Set(tables.map((table) => table.schema))).toEqual(new Set([mine.schema]));
    const hosts = tables.find((table) => table.name === 'minke_hosts');
    expect(hosts?.columns.find((column) => column.name === 'id')).toMatchObject({
      isAutoIncrementing: true,
      isNullable: false,
    });
  });

  // Kysely's own introspector reads every schema and failed with "schema … does not exist" when a
  // parallel test dropped one at that moment, taking a migration down (seen on CI).
  it('migrates while other schemas are created and dropped around it', async () => {
    const churn = new pg.Client({ connectionString: POSTGRES_URL });
    await churn.connect();
    let stop = false;
    const churning = (async () => {
      for (let round = 0; round < 200 && !stop; round++) {
        const schema = uniqueSchema();
        await churn.query(`CREATE SCHEMA ${schema}; CREATE TABLE ${schema}.t (id serial)`);
        await churn.query(`DROP SCHEMA ${schema} CASCADE`);
      }
    })();
    try {
      for (let round = 0; round < 5; round++) {
        const database = await open();
        await expect(migrateToLatest(database)).resolves.not.toHaveLength(0);
        await expect(database.db.introspection.getTables()).resolves.not.toHaveLength(0);
      }
    } finally {
      stop = true;
      await churning;
      await churn.end();
    }
  });
});
