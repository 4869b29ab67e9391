import type { StoreAdapter } from './adapter.js';
import type { DynamicKysely, MinkeKysely } from './minke-kysely.js';

export type { DynamicKysely };

/** An open database: a Kysely instance over whichever backend the URL named. */
export interface Database {
  /** Untyped: for the tables of user models (records, schema sync). */
  readonly db: DynamicKysely;
  /** Minke's own tables, typed, with booleans, dates and JSON converted by the column plugin. */
  readonly tables: MinkeKysely;
  readonly adapter: StoreAdapter;
  /** Where it is, for messages (never includes a password). */
  readonly description: string;
  /** The PostgreSQL schema Minke's tables live in; undefined on SQLite. */
  readonly schema?: string | undefined;
  close(): Promise<void>;
}
