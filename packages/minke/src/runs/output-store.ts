import { randomUUID } from 'node:crypto';
import { Readable, Writable, pipeline } from 'node:stream';
import { createGunzip, createGzip, type Gzip } from 'node:zlib';
import type { OutputSpill } from '../transport/exec/output-cut.js';
import type { Database } from '../store/database.js';
import type { MinkeKysely } from '../store/minke-kysely.js';

export interface OutputStoreOptions {
  /** Compressed bytes per stored row: large enough for few rows, small enough to read one at a
   * time. */
  rowBytes?: number;
}

const DEFAULT_ROW_BYTES = 256 * 1024;
/** Rows read per query when streaming output back. */
const ROWS_PER_READ = 4;
/** Compressed bytes handed to gunzip at once: at most about 1 MB once inflated. */
const INFLATE_SLICE_BYTES = 1024;

/**
 * Full command output, gzip-compressed, in the database (`minke_command_output`): written as
 * the command runs, in rows of at most `rowBytes`, and read back as a stream. Neither side ever
 * holds the whole output; a writer that falls behind asks its command to wait (`OutputSpill`).
 * The database rather than the project's folder: in scale-out, workers on other machines share
 * only the database, and purge then deletes output with its records in one transaction.
 *
 * @example
 *   const spill = store.writer(recordId);      // given to the transport as `outputSpill`
 *   spill.write('line 1\n');
 *   const key = await spill.end();
 *   store.read(key).pipe(process.stdout);      // the text exactly as written
 */
export class OutputStore {
  private readonly rowBytes: number;

  constructor(
    private readonly database: Database,
    options: OutputStoreOptions = {},
  ) {
    this.rowBytes = options.rowBytes ?? DEFAULT_ROW_BYTES;
  }

  private get db(): MinkeKysely {
    return this.database.tables;
  }

  /** A spill for one stream of a command of this session record, under a fresh key. */
  writer(recordId: number): OutputSpill {
    return new OutputWriter(this.db, recordId, randomUUID(), this.rowBytes);
  }

  /** Whether output is stored under this key. */
  async has(key: string): Promise<boolean> {
    const row = await this.db
      .selectFrom('minke_command_output')
      .select('seq')
      .where('output_key', '=', key)
      .limit(1)
      .executeTakeFirst();
    return row !== undefined;
  }

  /** The output stored under `key`, decompressed, a few rows at a time. */
  read(key: string): Readable {
    const db = this.db;
    async function* rows(): AsyncGenerator<Buffer> {
      // Bounded by the rows that exist: each query moves `after` past what it returned.
      for (let after = -1; ;) {
        const page = await db
          .selectFrom('minke_command_output')
          .select(['seq', 'data'])
          .where('output_key', '=', key)
          .where('seq', '>', after)
          .orderBy('seq')
          .limit(ROWS_PER_READ)
          .execute();
        // Small slices: gunzip inflates a whole input chunk at once, and repetitive output
        // compresses a thousandfold, so a 256 KiB row could become 250 MB in memory.
        for (const row of page) {
          const data = Buffer.from(row.data);
          for (let at = 0; at < data.length; at += INFLATE_SLICE_BYTES)
            yield data.subarray(at, at + INFLATE_SLICE_BYTES);
        }
        const last = page.at(-1);
        if (!last || page.length < ROWS_PER_READ) return;
        after = Number(last.seq);
      }
    }
    return pipeline(Readable.from(rows()), createGunzip(), () => undefined);
  }

  /** Deletes the output of these session records (purge: children before their records). */
  async deleteForRecords(db: MinkeKysely, recordIds: readonly number[]): Promise<void> {
    if (recordIds.length === 0) return;
    await db
      .deleteFrom('minke_command_output')
      .where('session_record_id', 'in', recordIds)
      .execute();
  }
}

/**
 * Compresses one stream into rows: text → gzip → rows of `rowBytes`, inserted in order. gzip's
 * buffer fills while an insert waits, so `write` returns false and the command is held.
 */
class OutputWriter implements OutputSpill {
  private readonly gzip: Gzip = createGzip();
  private readonly done: Promise<void>;
  private failure: Error | undefined;
  private readonly waiters: (() => void)[] = [];

  constructor(
    private readonly db: MinkeKysely,
    private readonly recordId: number,
    private readonly key: string,
    rowBytes: number,
  ) {
    let seq = 0;
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    const insert = async () => {
      if (pendingBytes === 0) return;
      const data = Buffer.concat(pending, pendingBytes);
      pending = [];
      pendingBytes = 0;
      await this.db
        .insertInto('minke_command_output')
        .values({ session_record_id: this.recordId, output_key: this.key, seq: seq++, data })
        .execute();
    };
    const rowsOut = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        pending.push(chunk);
        pendingBytes += chunk.length;
        if (pendingBytes < rowBytes) return callback();
        insert().then(() => callback(), callback);
      },
      final(callback) {
        insert().then(() => callback(), callback);
      },
    });
    this.gzip.on('drain', () => this.wake());
    this.done = new Promise((resolve, reject) =>
      pipeline(this.gzip, rowsOut, (error) => {
        if (error) {
          this.failure = error;
          this.wake(); // a command held for a failed store goes on; its cut says why
          reject(error);
        } else resolve();
      }),
    );
    this.done.catch(() => undefined); // reported by end()
  }

  write(text: string): boolean {
    if (this.failure) return true;
    return this.gzip.write(text);
  }

  onDrain(listener: () => void): void {
    if (this.failure) listener();
    else this.waiters.push(listener);
  }

  async end(): Promise<string> {
    if (!this.failure) this.gzip.end();
    await this.done;
    return this.key;
  }

  private wake(): void {
    for (const listener of this.waiters.splice(0)) listener();
  }
}
