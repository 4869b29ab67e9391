import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { resolveConfig, type ResolvedConfig } from '../src/config/resolve-config.js';
import {
  openProject,
  type OpenedProject,
  type OpenProjectOptions,
} from '../src/runtime/open-project.js';

/** The PostgreSQL server the tests use (trust auth on loopback, as on CI machines). */
export const POSTGRES_URL =
  process.env['MINKE_TEST_POSTGRES_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface TestBackend {
  name: 'sqlite' | 'postgres';
  /** Opens a project on a fresh, empty database (SQLite in memory, or a new PostgreSQL schema). */
  open(
    models: readonly unknown[],
    options?: OpenProjectOptions,
    sessions?: readonly unknown[],
  ): Promise<OpenedProject>;
  /** Reopens the same database (to test migrations across restarts). */
  reopen(models: readonly unknown[], options?: OpenProjectOptions): Promise<OpenedProject>;
  cleanup(): Promise<void>;
}

function configFor(
  url: string,
  models: readonly unknown[],
  sessions: readonly unknown[] = [],
): ResolvedConfig {
  return resolveConfig(
    { database: url, models: [...models], sessions: [...sessions] },
    { projectDir: process.cwd(), configFile: 'test' },
    {},
  );
}

export function sqliteBackend(file = ':memory:'): TestBackend {
  // Each open of ':memory:' is a new database; a file lets reopen see the same one.
  const url = `sqlite:${file}`;
  return {
    name: 'sqlite',
    open: (models, options, sessions) =>
      openProject(configFor(url, models, sessions), { migrate: true, ...options }),
    reopen: (models, options) => openProject(configFor(url, models), { migrate: true, ...options }),
    cleanup: () => Promise.resolve(),
  };
}

export function postgresBackend(): TestBackend {
  const schema = `test_${randomBytes(6).toString('hex')}`;
  return {
    name: 'postgres',
    open: (models, options, sessions) =>
      openProject(configFor(POSTGRES_URL, models, sessions), {
        migrate: true,
        schema,
        ...options,
      }),
    reopen: (models, options) =>
      openProject(configFor(POSTGRES_URL, models), { migrate: true, schema, ...options }),
    async cleanup() {
      const client = new pg.Client({ connectionString: POSTGRES_URL });
      await client.connect();
      try {
        await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      } finally {
        await client.end();
      }
    },
  };
}

/** A fresh temporary SQLite file path. */
export function tempSqliteFile(dir: string): string {
  return `${dir}/test-${randomBytes(4).toString('hex')}.db`;
}

/** Both backends, for conformance suites: `describe.each(backends())`. */
export function backendFactories(
  tmpDir: () => string,
): { name: string; make: () => TestBackend }[] {
  return [
    { name: 'sqlite', make: () => sqliteBackend(tempSqliteFile(tmpDir())) },
    { name: 'postgres', make: () => postgresBackend() },
  ];
}
