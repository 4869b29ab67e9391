import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { backendFactories, type TestBackend } from '../../test-support/databases.js';
import { App, demoModels, Server } from '../../test-support/demo-models.js';
import { factResult, useTempSigningKey } from '../../test-support/facts-fixtures.js';
import { runFinished } from '../../test-support/run-waiter.js';
import { localOperator } from '../auth/run-user.js';
import { AgentStore } from '../facts/agent-store.js';
import { FactStore } from '../facts/fact-store.js';
import { startRun } from '../operations/start-run.js';
import type { OpenedProject } from '../runtime/open-project.js';
import { createRuntime, type Runtime } from '../runtime/runtime.js';
import { Session } from '../session/session.js';
import { fromFacts, fromField, fromFunction, fromModel } from './choice-source.js';
import { listChoices } from './list-choices.js';

/** A session whose form takes its choices from each kind of source. */
const form = z.object({
  app: z
    .number()
    .int()
    .optional()
    .meta({ choices: fromModel(App, { where: 'name ^= a', label: 'name' }) }),
  packages: z
    .array(z.string())
    .optional()
    .meta({ choices: fromFacts('packages.*.name') }),
  os: z
    .string()
    .optional()
    .meta({ choices: fromField('os') }),
  branch: z
    .string()
    .optional()
    .meta({
      choices: fromFunction(({ objects }) =>
        objects.map((o) => ({
          value: `release-${String(o['id'])}`,
          label: `Release for #${String(o['id'])}`,
        })),
      ),
    }),
});

class Upgrade extends Session<typeof form> {
  static override workOn = [Server];
  static override form = form;
  override async process() {
    await this.addMsg(`would upgrade ${JSON.stringify(this.data)}`);
  }
}

const tmp = mkdtempSync(join(tmpdir(), 'minke-choices-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe.each(backendFactories(() => tmp))('form choices on $name', ({ make }) => {
  let backend: TestBackend;
  let project: OpenedProject;
  let runtime: Runtime;
  const servers: number[] = [];

  beforeEach(async () => {
    backend = make();
    project = useTempSigningKey(await backend.open(demoModels, {}, [Upgrade]), tmp);
    runtime = createRuntime(project, { quiet: true });
    servers.length = 0;
    const packages: Record<string, string[]> = {
      web1: ['nginx', 'openssh-server', 'curl'],
      web2: ['nginx', 'openssh-server'],
      db1: ['postgresql', 'openssh-server'],
      db2: [],
    };
    const agents = new AgentStore(project);
    const facts = new FactStore(project.database, agents);
    for (const [name, list] of Object.entries(packages)) {
      const host = await project.hosts.add({ name, config: { transport: 'local' } });
      const server = await project.records.create('Server', {
        host: host.id,
        os: name.startsWith('web') ? 'Debian 12' : 'Debian 11',
      });
      servers.push(server.id);
      // db2 has an agent, but no packages fact yet.
      await agents.ensure(name);
      if (list.length > 0)
        await facts.storeResults([
          factResult({
            node: name,
            plugin: 'packages',
            value: list.map((n) => ({ name: n, version: '1' })),
          }),
        ]);
    }
    for (const [server, name] of [
      [servers[0], 'alpha'],
      [servers[1], 'apex'],
      [servers[2], 'beta'],
    ] as const)
      await project.records.create('App', { server, name });
  });
  afterEach(async () => {
    await runtime.close();
    await project.close();
    await backend.cleanup();
  });

  const choices = (field: string, ids: number[] = servers) =>
    listChoices(project, { session: 'Upgrade', field, ids, user: localOperator });

  it('lists records of a model, filtered and labelled', async () => {
    const list = await choices('app');
    expect(list.source).toBe('model');
    expect(list.items.map((c) => c.label)).toEqual(['alpha', 'apex']);
    expect(list.items.every((c) => typeof c.value === 'number' && c.count === null)).toBe(true);
  });

  it("lists the values in the selected objects' facts, with how many have each", async () => {
    const all = await choices('packages');
    expect(all).toMatchObject({ source: 'facts', multiple: true, selected: 4 });
    expect(all.items).toEqual([
      { value: 'openssh-server', label: 'openssh-server', count: 3 },
      { value: 'nginx', label: 'nginx', count: 2 },
      { value: 'curl', label: 'curl', count: 1 },
      { value: 'postgresql', label: 'postgresql', count: 1 },
    ]);
    // Another selection, other counts: computed for the objects selected.
    const dbs = await choices('packages', servers.slice(2));
    expect(dbs.items).toEqual([
      { value: 'openssh-server', label: 'openssh-server', count: 1 },
      { value: 'postgresql', label: 'postgresql', count: 1 },
    ]);
  });

  it('lists the values of a field of the selection, with counts', async () => {
    const list = await choices('os');
    expect(list.items).toEqual([
      { value: 'Debian 11', label: 'Debian 11', count: 2 },
      { value: 'Debian 12', label: 'Debian 12', count: 2 },
    ]);
  });

  it("lists what the project's function computes from the selection", async () => {
    const list = await choices('branch', servers.slice(0, 2));
    expect(list.items).toEqual([
      { value: `release-${servers[0]}`, label: `Release for #${servers[0]}`, count: null },
      { value: `release-${servers[1]}`, label: `Release for #${servers[1]}`, count: null },
    ]);
  });

  it('checks the selection in one go, naming the first object that is not there', async () => {
    const list = (ids: (number | string)[]) =>
      listChoices(project, { session: 'Upgrade', field: 'os', ids, user: localOperator });
    const [first, second] = servers as [number, number];
    expect((await list([first, first, String(second)])).selected).toBe(2);
    await expect(list([first, 999_999, 'web1'])).rejects.toThrow('Server 999999 does not exist');
    await expect(list([first, 'web1'])).rejects.toThrow('"web1" is not a record id of Server');
  });

  it('names the fields with choices when asked for another', async () => {
    await expect(choices('nope')).rejects.toThrow(
      'Upgrade has no form field "nope" with choices (fields with choices: app, packages, os, branch)',
    );
  });

  it('refuses at submit a value that is not a choice for this selection, naming the field', async () => {
    const run = (data: Record<string, unknown>, ids = servers) =>
      startRun(runtime, { session: 'Upgrade', ids, data });
    // postgresql is on db1 only: a choice for the whole fleet, not for the web servers.
    await expect(run({ packages: ['nginx', 'postgresql'] }, servers.slice(0, 2))).rejects.toThrow(
      'invalid form data for Upgrade: packages: "postgresql" is not among the choices for this selection (choices: nginx on 2, openssh-server on 2, curl on 1)',
    );
    const beta = (await project.records.findBy('App', 'name', 'beta'))?.id;
    await expect(run({ app: beta })).rejects.toMatchObject({
      fields: { app: expect.stringContaining('not among the choices') as unknown },
    });
    await expect(run({ branch: 'release-999' })).rejects.toThrow(/branch: "release-999"/);
    await expect(run({ os: 'Debian 13' })).rejects.toThrow(/os: "Debian 13" is not among/);
    expect(await project.database.tables.selectFrom('minke_runs').select('id').execute()).toEqual(
      [],
    );

    // Values that are choices start the run.
    const alpha = (await project.records.findBy('App', 'name', 'alpha'))?.id;
    const started = await run(
      { packages: ['nginx'], app: alpha, os: 'Debian 12' },
      servers.slice(0, 2),
    );
    await runFinished(runtime.bus, started.runId);
    expect(started.records).toHaveLength(2);
  });
});
