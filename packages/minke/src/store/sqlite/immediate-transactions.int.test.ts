import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { inTransaction } from '../transaction.js';
import { openSqlite } from './open-sqlite.js';

// Two writers on one SQLite file, as `minke start` and its session thread are: a transaction
// that read before the other writer committed must still be able to write.

/** Another thread's connection: inserts a row when asked, says when it has. */
const OTHER_WRITER = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file);
db.pragma('busy_timeout = 5000');
parentPort.on('message', () => {
  db.prepare("insert into notes (text) values ('from the other thread')").run();
  parentPort.postMessage('inserted');
  db.close();
  parentPort.close();
});
`;

const tmp = mkdtempSync(join(tmpdir(), 'minke-immediate-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('SQLite transactions beside another writer', () => {
  it('a transaction that reads, then writes after another thread wrote, commits both', async () => {
    const file = join(tmp, 'two-writers.db');
    const database = openSqlite(file);
    await sql`create table notes (id integer primary key, text text)`.execute(database.db);
    const other = new Worker(OTHER_WRITER, {
      eval: true,
      workerData: { file, driver: createRequire(import.meta.url).resolve('better-sqlite3') },
    });
    const inserted = new Promise<void>((resolve) => other.once('message', () => resolve()));
    const ended = new Promise<void>((resolve) => other.once('exit', () => resolve()));
    try {
      await inTransaction(database, async (trx) => {
        await sql`select count(*) from notes`.execute(trx.db);
        other.postMessage('insert');
        // Holding the write lock, this transaction makes the other thread wait for its commit;
        // without it, the other thread's row is committed before the write below.
        await Promise.race([inserted, new Promise((resolve) => setTimeout(resolve, 500))]);
        await sql`insert into notes (text) values ('from the transaction')`.execute(trx.db);
      });
      await inserted;
      const rows = await sql<{ text: string }>`select text from notes order by id`.execute(
        database.db,
      );
      expect(rows.rows.map((row) => row.text)).toEqual([
        'from the transaction',
        'from the other thread',
      ]);
    } finally {
      await ended;
      await database.close();
    }
  });
});
