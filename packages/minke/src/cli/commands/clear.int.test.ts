import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  builtMinke,
  prepareLocalHost,
  writeProject,
} from '../../../test-support/project-folder.js';

const tmp = mkdtempSync(join(tmpdir(), 'minke-clear-cli-'));
const dir = join(tmp, 'p');
const env = { MINKE_PASSWORD: 'correct horse battery' };
const minke = async (...args: string[]) => builtMinke(dir, args, env);
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** The project's clears and session records, read straight from its SQLite file. */
async function tables(): Promise<{ clears: unknown[]; records: number }> {
  const { default: Database } = await import('better-sqlite3');
  const db = new Database(join(dir, 'data.db'), { readonly: true, fileMustExist: true });
  try {
    const clears = db
      .prepare(
        'SELECT u.username AS user, c.model, c.cleared_upto AS upto FROM minke_session_clears c LEFT JOIN minke_users u ON u.id = c.user_id ORDER BY c.id',
      )
      .all();
    const records = db.prepare('SELECT count(*) AS n FROM minke_session_records').get() as {
      n: number;
    };
    return { clears, records: records.n };
  } finally {
    db.close();
  }
}

// The built CLI over dist/: rebuild (npx tsc -b packages/minke) before running this file.
describe('minke clear (built CLI, project folder)', () => {
  beforeAll(async () => {
    writeProject(dir, {
      config: "database: 'sqlite:data.db', sessions: [Hello]",
      sessions: `import { SingleCommandSession } from 'minke';
export class Hello extends SingleCommandSession {
  static override workOn = ['Host'];
  static override command = 'echo hello';
}
`,
      sessionNames: ['Hello'],
    });
    await prepareLocalHost(dir, env);
    for (const user of ['ann', 'bob']) {
      expect((await minke('users', 'create', user)).code).toBe(0);
      expect((await minke('users', 'grant', user, 'run_hello', 'view_host')).code).toBe(0);
    }
  }, 120_000);

  it("clears one user's current session and keeps the history", async () => {
    expect((await minke('run', 'Hello', '--id', 'local1', '--user', 'ann')).code).toBe(0);
    expect((await minke('run', 'Hello', '--id', 'local1', '--user', 'bob')).code).toBe(0);
    const cleared = await minke('clear', '--model', 'Host', '--all', '--user', 'ann');
    expect(cleared).toMatchObject({
      code: 0,
      stdout: 'cleared the current session of 1 of 1 Host object(s) for ann\n',
    });
    // Ann's own run (record 1) is cleared for her; Bob's newer one is not touched.
    expect(await tables()).toEqual({
      clears: [{ user: 'ann', model: 'Host', upto: 1 }],
      records: 2,
    });
    // Cleared already: nothing current is left for Ann.
    const again = await minke(
      'clear',
      '--model',
      'Host',
      '--id',
      'local1',
      '--user',
      'ann',
      '--json',
    );
    expect(JSON.parse(again.stdout)).toEqual({ selected: 1, cleared: 0 });
    // The operator's own view (no --user) sees everyone's newest, Bob's, and clears that.
    const operator = await minke('clear', '--model', 'Host', '--where', 'name = local1');
    expect(operator.stdout).toBe('cleared the current session of 1 of 1 Host object(s)\n');
    expect((await tables()).clears).toEqual([
      { user: 'ann', model: 'Host', upto: 1 },
      { user: null, model: 'Host', upto: 2 },
    ]);
    const history = await minke('history', 'list', '--json');
    expect(JSON.parse(history.stdout)).toMatchObject({ total: 2 });
  }, 120_000);

  it('names the flags on a bad selection and an unknown model', async () => {
    const both = await minke('clear', '--model', 'Host', '--all', '--id', 'local1');
    expect(both).toMatchObject({
      code: 2,
      stderr: 'minke: error: select objects with exactly one of: --id, --where, --all\n',
    });
    const unknown = await minke('clear', '--model', 'Nope', '--all');
    expect(unknown).toMatchObject({ code: 2, stderr: 'minke: error: unknown model "Nope"\n' });
  }, 60_000);
});
