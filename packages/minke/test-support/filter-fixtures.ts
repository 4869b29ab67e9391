import type { Result } from '@minke/protocol';
import { FactStore } from '../src/facts/fact-store.js';
import { AgentStore } from '../src/facts/agent-store.js';
import type { OpenedProject } from '../src/runtime/open-project.js';
import { factResult } from './facts-fixtures.js';

// Hosts and filter expressions that cover the filter language over fields, groups, config and
// facts: the in-memory policy check must answer as each database does, and both databases must
// answer alike.

/** Hosts whose fields, groups and facts cover what the filter language looks at. */
export const filterHosts: {
  name: string;
  fields?: {
    port?: number;
    hostname?: string;
    user?: string;
    comment?: string;
    disabled?: boolean;
  };
  /** Connection config beside `transport: local`. */
  config?: Record<string, unknown>;
  groups?: string[];
  facts: Record<string, Result['value']>;
}[] = [
  {
    name: 'h1',
    fields: { port: 22 },
    config: { port: 22, pty: true },
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
export const decided = [
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
  'facts.packages.0 exists',
  'facts.packages.0.name = nginx',
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
export const mayBeUndecided = [
  'config.transport = local',
  'comment ~ élan',
  'comment ~ rack',
  'hostname = ""',
  'created_at exists',
  'port = abc',
  'facts.hw = "{}"',
  'nosuchfield = 1',
];

/** Adds the hosts above (groups `web` and `db`, facts through an agent each); returns their ids. */
export async function addFilterHosts(project: OpenedProject): Promise<Map<string, number>> {
  for (const group of ['web', 'db']) await project.hosts.addGroup({ name: group });
  const facts = new FactStore(project.database, new AgentStore(project));
  const ids = new Map<string, number>();
  for (const host of filterHosts) {
    const added = await project.hosts.add({
      name: host.name,
      config: { transport: 'local', ...host.config },
      groups: host.groups,
      ...host.fields,
    });
    ids.set(host.name, added.id);
    const results = Object.entries(host.facts).map(([plugin, value]) =>
      factResult({ node: host.name, plugin, value }),
    );
    if (results.length > 0) await facts.storeResults(results);
  }
  return ids;
}
