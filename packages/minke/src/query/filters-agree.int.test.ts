import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backendFactories } from '../../test-support/databases.js';
import { demoModels } from '../../test-support/demo-models.js';
import { useTempSigningKey } from '../../test-support/facts-fixtures.js';
import { addFilterHosts, decided, mayBeUndecided } from '../../test-support/filter-fixtures.js';
import { HOST_MODEL } from '../model/host-model.js';
import type { OpenedProject } from '../runtime/open-project.js';
import { parseWhere } from './parse-where.js';

// One filter means one thing: the same expression selects the same hosts on SQLite and on
// PostgreSQL. Two things are left to the database, on purpose, and are not listed here: case
// beyond ASCII in `~` and `^=` (PostgreSQL folds it as its locale says, SQLite does not), and
// `~` on the JSON text of a list or an object with spaces or punctuation in the needle (each
// database spaces that text its own way).
const alsoAgree = [
  // Version strings are numbers only when they are decimal numbers: not "22.04.1" nor "1-2".
  'facts.os-release.VERSION_ID > 22.04',
  'facts.os-release.VERSION_ID >= 22',
  'facts.os-release.VERSION_ID < 2',
  'facts.os-release.VERSION_ID = 11',
  'facts.hw.cpu.count = 2.5',
  'facts.hw.cpu.count > -4',
  'facts.hw.cpu.count <= 16',
  // A key of digits is a list index, or that key of an object.
  'facts.packages.0 exists',
  'facts.packages.0 = zero',
  'facts.packages.0.version = 1.18',
  'facts.hw.disks.0.size = 100',
  // A connection setting compares as its text: numbers as digits, booleans as true/false.
  'config.port = 22',
  'config.port > 100',
  'config.pty = true',
  'config.pty != true',
  'config.transport = local',
  'config.user exists',
];

const tmp = mkdtempSync(join(tmpdir(), 'minke-filters-agree-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Case beyond ASCII: see above. */
const leftToTheDatabase = new Set(['comment ~ élan']);

const expressions = [...decided, ...mayBeUndecided, ...alsoAgree].filter(
  (text) => !leftToTheDatabase.has(text),
);

/** Per expression, the names of the hosts one database selects (or its error). */
type Answers = Map<string, string>;

async function answersOf(project: OpenedProject, ids: Map<string, number>): Promise<Answers> {
  const names = new Map([...ids].map(([name, id]) => [id, name]));
  const answers: Answers = new Map();
  for (const text of expressions) {
    try {
      const selected = await project.records.ids(HOST_MODEL, { filter: parseWhere(text) });
      answers.set(
        text,
        selected
          .map((id) => names.get(id))
          .sort()
          .join(' '),
      );
    } catch (error) {
      answers.set(text, `refused: ${(error as Error).message}`);
    }
  }
  return answers;
}

describe('the filter language on SQLite and PostgreSQL', { timeout: 120_000 }, () => {
  const answers = new Map<string, Answers>();

  beforeAll(async () => {
    for (const { name, make } of backendFactories(() => tmp)) {
      const backend = make();
      const project = useTempSigningKey(await backend.open(demoModels), tmp);
      try {
        answers.set(name, await answersOf(project, await addFilterHosts(project)));
      } finally {
        await project.close();
        await backend.cleanup();
      }
    }
  });

  it.each(expressions)('%s selects the same hosts on both', (text) => {
    const [sqlite, postgres] = [...answers.values()].map((byText) => byText.get(text));
    expect(answers.size).toBe(2);
    expect(sqlite).toBeDefined();
    expect(postgres).toBe(sqlite);
  });

  it('reads version strings, digit keys and settings as documented', () => {
    const sqlite = answers.get('sqlite');
    // h2 (22.04) and h3 (22.04.1): only the decimal number is above 22.
    expect(sqlite?.get('facts.os-release.VERSION_ID >= 22')).toBe('h2');
    // h2's packages are a list, h6's an object with the key "0".
    expect(sqlite?.get('facts.packages.0 exists')).toBe('h2 h6');
    expect(sqlite?.get('config.port = 22')).toBe('h1');
    expect(sqlite?.get('config.pty = true')).toBe('h1');
  });
});
