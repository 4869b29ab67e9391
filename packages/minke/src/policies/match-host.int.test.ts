import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Result } from '@minke/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backendFactories, type TestBackend } from '../../test-support/databases.js';
import { demoModels } from '../../test-support/demo-models.js';
import { factResult, useTempSigningKey } from '../../test-support/facts-fixtures.js';
import { AgentStore } from '../facts/agent-store.js';
import { FactStore } from '../facts/fact-store.js';
import { HOST_MODEL } from '../model/host-model.js';
import { parseWhere } from '../query/parse-where.js';
import type { OpenedProject } from '../runtime/open-project.js';
import { dialectOf } from './dialect.js';
import { evaluatePolicies } from './evaluate-policies.js';
import { loadHostStates } from './host-state.js';
import { matchHost } from './match-host.js';
import { savePolicy } from './policy-operations.js';

/** Hosts whose fields, groups and facts cover what the filter language looks at. */
const hosts: {
  name: string;
  fields?: {
    port?: number;
    hostname?: string;
    user?: string;
    comment?: string;
    disabled?: boolean;
  };
  groups?: string[];
  facts: Record<string, Result['value']>;
}[] = [
  {
    name: 'h1',
    fields: { port: 22 },
    groups: ['web'],
    facts: {
      'os-release': { VERSION_ID: '12', ID: 'debian' },
      packages: { 'openssh-server': '1:9.2', nginx: '1.22' },
      hw: {
        cpu: { count: 4 },
        disks: [{ size: 100 }, { size: 250 }],
        ratio: 0.5,
        flag: true,
        nothing: null,
      },
    },
  },
  {
    name: 'h2',
    fields: { comment: 'Rack 4', disabled: true },
    groups: ['web', 'db'],
    facts: {
      'os-release': { VERSION_ID: '22.04', ID: 'Ubuntu' },
      packages: [{ name: 'nginx', version: '1.18' }],
      hw: { cpu: { count: '8' }, ratio: 1.25, flag: false },
    },
  },
  {
    name: 'h3',
    fields: { port: 2222 },
    facts: {
      'os-release': { VERSION_ID: '22.04.1' },
      packages: {},
      hw: { cpu: { count: ' 16 ' } },
    },
  },
  { name: 'h4', facts: { 'os-release': { VERSION_ID: '1-2' }, hw: { cpu: { count: 'x' } } } },
  { name: 'h5', fields: { hostname: '10.0.0.5', user: 'root' }, facts: {} },
  {
    name: 'h6',
    facts: {
      'os-release': { VERSION_ID: 11, ID: null },
      packages: { '0': 'zero' },
      hw: { cpu: { count: 2.5 } },
    },
  },
  {
    name: 'h7',
    fields: { comment: 'Élan' },
    facts: { 'os-release': { VERSION_ID: '12.10' }, hw: { cpu: { count: -3 } } },
  },
];

/** Expressions memory must decide for every host above. */
const decided = [
  'facts.os-release.VERSION_ID >= 12',
  'facts.os-release.VERSION_ID < 12',
  'facts.os-release.VERSION_ID >= 22.04',
  'facts.os-release.VERSION_ID > 1',
  'facts.os-release.VERSION_ID <= 1.5',
  'facts.os-release.VERSION_ID = 12',
  'facts.os-release.VERSION_ID != 12',
  'facts.os-release.VERSION_ID >= "12"',
  'facts.os-release.VERSION_ID < 22.04.1',
  'facts.os-release.VERSION_ID in (12, "22.04", 11)',
  'facts.os-release.ID exists',
  'facts.os-release.ID is null',
  'facts.os-release.ID = null',
  'facts.os-release.ID != null',
  'facts.os-release.ID ~ ubu',
  'facts.os-release.ID ^= DEB',
  'facts.os-release exists',
  'facts.os-release is null',
  'facts.packages ~ nginx',
  'facts.packages ~ 1.1',
  'facts.packages.openssh-server exists',
  'not facts.packages.openssh-server exists',
  'facts.packages.nginx >= 1.2',
  'facts.hw.cpu.count >= 4',
  'facts.hw.cpu.count < 4',
  'facts.hw.cpu.count = 16',
  'facts.hw.disks.1.size > 200',
  'facts.hw.disks.5.size exists',
  'facts.hw.ratio <= 0.5',
  'facts.hw.flag = true',
  'facts.hw.flag != false',
  'facts.hw.nothing exists',
  'facts.hw.nothing is null',
  'facts.hw = x',
  'facts.hw.cpu ~ count',
  'facts.missing exists',
  'facts.missing != 1',
  'port = 22',
  'not port = 22',
  'port != 22',
  'port > 100',
  'port >= 22 or user ~ RO',
  'not (port >= 22 or user ~ ro)',
  'port ~ 2',
  'disabled = true',
  'disabled = no',
  'not disabled = true and groups.name = web',
  'groups.name = db',
  'groups.name != web',
  'groups exists',
  'name ^= h and (hostname is null or user = root)',
  'name > h3',
  'name in (h1, h4)',
  'port in (22, null)',
  'not port in (22, null)',
  'id <= 3',
  'facts.os-release.VERSION_ID >= 12 and facts.packages.openssh-server exists',
  '(facts.os-release.ID = debian or facts.os-release.ID = Ubuntu) and not facts.hw.flag = true',
];

/** Expressions memory may leave to the database (for some hosts or all). */
const mayBeUndecided = [
  'config.transport = local',
  'comment ~ élan',
  'comment ~ rack',
  'hostname = ""',
  'facts.packages.0 exists',
  'facts.packages.0.name = nginx',
  'created_at exists',
  'port = abc',
  'facts.hw = "{}"',
  'nosuchfield = 1',
];

const tmp = mkdtempSync(join(tmpdir(), 'minke-match-host-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe.each(backendFactories(() => tmp))('in-memory policy evaluation on $name', ({ make }) => {
  let backend: TestBackend;
  let project: OpenedProject;

  // Read-only but for the last test, which adds policies: one project per database.
  beforeAll(async () => {
    backend = make();
    project = useTempSigningKey(await backend.open(demoModels), tmp);
    for (const group of ['web', 'db']) await project.hosts.addGroup({ name: group });
    const facts = new FactStore(project.database, new AgentStore(project));
    for (const host of hosts) {
      await project.hosts.add({
        name: host.name,
        config: { transport: 'local' },
        groups: host.groups,
        ...host.fields,
      });
      const results = Object.entries(host.facts).map(([plugin, value]) =>
        factResult({ node: host.name, plugin, value }),
      );
      if (results.length > 0) await facts.storeResults(results);
    }
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
