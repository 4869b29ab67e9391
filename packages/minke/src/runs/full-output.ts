import { Readable } from 'node:stream';
import { InputError, NotFoundError } from '../errors.js';
import type { Database } from '../store/database.js';
import type { OutputCut } from '../transport/exec/output-cut.js';
import { OutputStore } from './output-store.js';

export type OutputStreamName = 'stdout' | 'stderr';

/** One stream of one command, in full: what the API and `minke history output` send. */
export interface FullOutput {
  body: Readable;
  /** A file name for a download: `session-12-command-1.stdout.txt`. */
  filename: string;
  /** False when the record holds the whole text (nothing was cut). */
  fromStore: boolean;
}

/**
 * The full text of one stream of a command (`position` counts from 1 within its record): from
 * the output store when the record keeps only its head and tail, else the record's own copy,
 * which is then complete. Streams: the output is never held whole.
 */
export async function openFullOutput(
  database: Database,
  recordId: number,
  position: number,
  stream: OutputStreamName,
): Promise<FullOutput> {
  if (!Number.isSafeInteger(position) || position < 1)
    throw new InputError(`command "${position}": expected a whole number of at least 1`);
  const rows = await database.tables
    .selectFrom('minke_commands')
    .select(['id', 'stdout', 'stderr', 'output_cut'])
    .where('session_record_id', '=', recordId)
    .orderBy('id')
    .limit(1)
    .offset(position - 1)
    .execute();
  const row = rows[0];
  if (!row) {
    const count = await commandCount(database, recordId);
    throw new NotFoundError(
      `session record ${recordId} has ${count} command${count === 1 ? '' : 's'}; there is no command ${position}`,
    );
  }
  const filename = `session-${recordId}-command-${position}.${stream}.txt`;
  const cuts = row.output_cut as Partial<Record<OutputStreamName, OutputCut>> | null;
  const cut = cuts?.[stream];
  if (!cut) return { body: Readable.from([row[stream]]), filename, fromStore: false };
  if (cut.stored === null)
    throw new NotFoundError(
      `the full ${stream} of command ${position} of session record ${recordId} was not stored (${cut.storeError ?? 'unknown reason'}); the record keeps its first and last part only`,
    );
  return { body: new OutputStore(database).read(cut.stored), filename, fromStore: true };
}

async function commandCount(database: Database, recordId: number): Promise<number> {
  const row = await database.tables
    .selectFrom('minke_commands')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where('session_record_id', '=', recordId)
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}
