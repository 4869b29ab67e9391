import { Kysely } from 'kysely';
import pg from 'pg';
import { survivePoolErrors } from '../../util/pg-pool-errors.js';
import type { Database } from '../database.js';
import { minkeTablesOf } from '../minke-kysely.js';
import { postgresAdapter } from './postgres-adapter.js';
import { SchemaPostgresDialect } from './schema-introspector.js';

export interface PostgresOptions {
  url: string;
  /** Password from a secret source; overrides the one in the URL. */
  password?: string | undefined;
  /** A schema to work in (created if missing), e.g. one per test. */
  schema?: string | undefined;
  maxConnections?: number | undefined;
}

// bigint counts (COUNT(*)) come back as strings by default; Minke's counts fit in a JS number.
pg.types.setTypeParser(20, (value: string) => Number(value));

export async function openPostgres(options: PostgresOptions): Promise<Database> {
  const { schema } = options;
  if (schema !== undefined && !/^[a-z_][a-z0-9_]*$/.test(schema)) {
    throw new Error(`invalid PostgreSQL schema name: ${schema}`);
  }
  const pool = new pg.Pool({
    connectionString: options.url,
    ...(options.password === undefined ? {} : { password: options.password }),
    max: options.maxConnections ?? 10,
    connectionTimeoutMillis: 10_000,
    ...(schema === undefined ? {} : { options: `-c search_path=${schema}` }),
  });
  // A client losing its server must not crash the process; the next query reports it.
  survivePoolErrors(pool);
  if (schema !== undefined) await pool.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
  else await pool.query('SELECT 1');
  const db = new Kysely<unknown>({ dialect: new SchemaPostgresDialect({ pool }, schema) });
  const where = new URL(options.url);
  return {
    db,
    tables: minkeTablesOf(db, postgresAdapter),
    adapter: postgresAdapter,
    description: `PostgreSQL ${where.hostname}:${where.port || '5432'}${where.pathname}${schema ? ` (schema ${schema})` : ''}`,
    schema: schema ?? 'public',
    close: () => db.destroy(),
  };
}
