import { sql } from 'kysely';
import type { DynamicKysely } from '../minke-kysely.js';

/** Where pg_trgm is, or why it is not (the message a user acts on). */
export type TrigramExtension = { schema: string } | { missing: string };

/**
 * Finds PostgreSQL's `pg_trgm` extension (trigram indexes serve `ILIKE '%…%'`, which is how a
 * list's search and `~` read), creating it when it is not there yet. It is a trusted extension:
 * a database's owner may create it without being a superuser. It goes into `public` when that
 * schema exists, so that it outlives a project's own schema. When it cannot be created (no
 * right to, or the server lacks it), search still works, reading every row.
 */
export async function trigramExtension(db: DynamicKysely): Promise<TrigramExtension> {
  const found = await installedIn(db);
  if (found) return { schema: found };
  try {
    const target = (await hasPublicSchema(db)) ? sql` SCHEMA public` : sql``;
    await sql`CREATE EXTENSION IF NOT EXISTS pg_trgm${target}`.execute(db);
  } catch (error) {
    // Another process may have created it at the same moment: look again before giving up.
    const now = await installedIn(db);
    if (now) return { schema: now };
    return { missing: (error as Error).message };
  }
  const created = await installedIn(db);
  return created ? { schema: created } : { missing: 'CREATE EXTENSION did not install it' };
}

async function installedIn(db: DynamicKysely): Promise<string | undefined> {
  const { rows } = await sql<{ schema: string }>`
    SELECT n.nspname AS schema FROM pg_extension e
    JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'pg_trgm'`.execute(db);
  return rows[0]?.schema;
}

async function hasPublicSchema(db: DynamicKysely): Promise<boolean> {
  const { rows } = await sql`SELECT 1 FROM pg_namespace WHERE nspname = 'public'`.execute(db);
  return rows.length > 0;
}
