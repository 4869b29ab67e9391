import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backendFactories, type TestBackend } from '../../test-support/databases.js';
import { demoModels } from '../../test-support/demo-models.js';
import { useTempSigningKey } from '../../test-support/facts-fixtures.js';
import { addFilterHosts, decided, mayBeUndecided } from '../../test-support/filter-fixtures.js';
import { HOST_MODEL } from '../model/host-model.js';
import { parseWhere } from '../query/parse-where.js';
import type { OpenedProject } from '../runtime/open-project.js';
import { dialectOf } from './dialect.js';
import { evaluatePolicies } from './evaluate-policies.js';
import { loadHostStates } from './host-state.js';
import { matchHost } from './match-host.js';
import { savePolicy } from './policy-operations.js';

const tmp = mkdtempSync(join(tmpdir(), 'minke-match-host-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe.each(backendFactories(() => tmp))('in-memory policy evaluation on $name', ({ make }) => {
  let backend: TestBackend;
  let project: OpenedProject;

  // Read-only but for the last test, which adds policies: one project per database.
  beforeAll(async () => {
    backend = make();
    project = useTempSigningKey(await backend.open(demoModels), tmp);
    await addFilterHosts(project);
  });
  afterAll(async () => {
    await project.close();
    await backend.cleanup();
  });

  /** Per expression: the hosts SQL selects, and memory's answer for each host. */
  async function compare(text: string) {
    const filter = parseWhere(text);
    let sql: Set<number> | Error;
    try {
      sql = new Set(await project.records.ids(HOST_MODEL, { filter }));
    } catch (error) {
      sql = error as Error;
    }
    const ids = await project.records.ids(HOST_MODEL, {});
    const states = await loadHostStates(project.database, ids);
    const dialect = await dialectOf(project.database);
    const mismatches: string[] = [];
    const undecided: string[] = [];
    for (const state of states.values()) {
      const answer = matchHost(filter, state, dialect);
      if (answer === 'undecided') undecided.push(state.name);
      else if (sql instanceof Error)
        mismatches.push(`${state.name}: SQL refused, memory ${answer}`);
      else if ((answer === true) !== sql.has(state.id))
        mismatches.push(`${state.name}: SQL ${sql.has(state.id)}, memory ${answer}`);
    }
    return { mismatches, undecided, sql };
  }

  it.each(decided)('decides %s as the database does', async (text) => {
    const { mismatches, undecided } = await compare(text);
    expect(mismatches).toEqual([]);
    expect(undecided).toEqual([]);
  });

  it.each(mayBeUndecided)('leaves to the database what it cannot be sure of: %s', async (text) => {
    const { mismatches } = await compare(text);
    expect(mismatches).toEqual([]);
  });

  it('evaluating hosts in memory finds what the fleet-wide SQL evaluation stored', async () => {
    // The ones the database refuses would refuse the policy.
    const refused = ['hostname = ""', 'port = abc', 'nosuchfield = 1'];
    const texts = [...decided, ...mayBeUndecided.filter((text) => !refused.includes(text))];
    for (const [index, where] of texts.entries())
      await savePolicy(project, {
        name: `p${index}`,
        where,
        scope: index % 3 === 0 ? 'name != h2' : null,
      });
    const ids = await project.records.ids(HOST_MODEL, {});
    const outcome = await evaluatePolicies(project, { hostIds: ids });
    expect(outcome.changed).toEqual([]);
    expect(outcome.evaluated).toBeGreaterThan(texts.length * 4);
  });
});
