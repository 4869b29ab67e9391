import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { text } from 'node:stream/consumers';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { backendFactories, type TestBackend } from '../../test-support/databases.js';
import { demoModels } from '../../test-support/demo-models.js';
import type { OpenedProject } from '../runtime/open-project.js';
import { SessionHistory } from './history.js';
import { OutputStore } from './output-store.js';

const tmp = mkdtempSync(join(tmpdir(), 'minke-output-store-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** The output store on each backend: bytes in, the same bytes out, gone with their records. */
describe.each(backendFactories(() => tmp))('output store on $name', ({ make }) => {
  let backend: TestBackend;
  let project: OpenedProject;

  beforeEach(async () => {
    backend = make();
    project = await backend.open(demoModels);
  });
  afterEach(async () => {
    await project.close();
    await backend.cleanup();
  });

  async function addRecord(): Promise<number> {
    const { db } = project.database;
    const run = await db
      .insertInto('minke_runs')
      .values({ session: 'S', model: 'Host', data: '{}' })
      .returning('id')
      .executeTakeFirstOrThrow();
    const record = await db
      .insertInto('minke_session_records')
      .values({
        run_id: run.id,
        session: 'S',
        verbose_name: 'S',
        model: 'Host',
        object_id: 1,
        object_label: 'h',
        process_state: 'completed',
        result: 'success',
        created_at: project.database.adapter.encodeDate(new Date(Date.now() - 86_400_000)),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return Number(record.id);
  }

  it('stores text in many compressed rows and reads it back exactly, never whole', async () => {
    const store = new OutputStore(project.database, { rowBytes: 4096 });
    const recordId = await addRecord();
    const spill = store.writer(recordId);
    // Random-ish lines compress badly: many rows, in order.
    const pieces = Array.from({ length: 20_000 }, (_, i) => `${i} ${Math.random()} grüße\n`);
    for (const piece of pieces)
      if (!spill.write(piece)) await new Promise<void>((r) => spill.onDrain(r));
    const key = await spill.end();
    const rows = (await project.database.db
      .selectFrom('minke_command_output')
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .where('output_key', '=', key)
      .executeTakeFirst()) as { n: number | string };
    expect(Number(rows.n)).toBeGreaterThan(3);
    expect(await text(store.read(key))).toBe(pieces.join(''));
    expect(await store.has(key)).toBe(true);

    expect(await new SessionHistory(project.database).purge(new Date())).toBe(1);
    expect(await store.has(key)).toBe(false);
  });

  it('an empty stream reads back empty', async () => {
    const store = new OutputStore(project.database);
    const key = await store.writer(await addRecord()).end();
    expect(await text(store.read(key))).toBe('');
  });
});
