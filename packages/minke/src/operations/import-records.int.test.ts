import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { backendFactories, type TestBackend } from '../../test-support/databases.js';
import { demoModels } from '../../test-support/demo-models.js';
import { localOperator } from '../auth/run-user.js';
import { defineModel } from '../model/define-model.js';
import { f } from '../model/fields.js';
import type { OpenedProject } from '../runtime/open-project.js';
import { idsByNames } from './ids-by-names.js';
import { importRecordsCsv, type ImportOptions } from './import-records.js';

const tmp = mkdtempSync(join(tmpdir(), 'minke-import-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A model with a unique field the import does not look up: only its write finds a taken value. */
const Reading = defineModel('Reading', {
  fields: { host: f.ref('Host'), weight: f.float({ unique: true }) },
  hostLookup: 'host',
});

const asOperator: ImportOptions = { dryRun: false, actor: localOperator, mayView: () => true };

/** What an import's refused rows say: the error's message and its `fields` (line → why). */
async function refusal(promise: Promise<unknown>): Promise<[string, unknown]> {
  const error = (await promise.then(
    () => undefined,
    (e: unknown) => e,
  )) as (Error & { fields?: unknown }) | undefined;
  if (!error) throw new Error('the import went through');
  return [error.message, error.fields];
}

// The import's reads and checks on every backend: names looked up in bulk (a join on
// PostgreSQL, IN lists on SQLite), rows checked against the model before anything is written.
describe.each(backendFactories(() => tmp))('CSV import on $name', ({ make }) => {
  let backend: TestBackend;
  let project: OpenedProject;

  beforeEach(async () => {
    backend = make();
    project = await backend.open([...demoModels, Reading]);
  });
  afterEach(async () => {
    await project.close();
    await backend.cleanup();
  });

  it('looks up many names at once, whatever they hold', async () => {
    const names = Array.from({ length: 1_200 }, (_, i) => `node-${i}`);
    const hosts = `name\n${names.join('\n')}\n`;
    expect(await importRecordsCsv(project, 'Host', hosts, asOperator)).toMatchObject({
      added: 1_200,
    });
    const server = await project.records.create('Server', {
      host: (await project.hosts.get('node-0')).id,
    });
    const quoted = `o'brien, "the" app; --`;
    const app = await project.records.create('App', { server: server.id, name: quoted });
    const wanted = [...names, 'nobody', 'node-7'].map((name) => ['Host', name] as const);
    const lookup = await idsByNames(project, [...wanted, ['App', quoted]], () => true);
    expect(lookup('Host', 'node-1199')).toEqual([(await project.hosts.get('node-1199')).id]);
    expect(lookup('Host', 'nobody')).toEqual([]);
    expect(lookup('App', quoted)).toEqual([app.id]);
    const hidden = await idsByNames(project, [['Host', 'node-1']], (model) => model !== 'Host');
    expect(() => hidden('Host', 'node-1')).toThrow(
      "you may not view Host records: give the Host's id, not its name",
    );
    // A host name the host rules refuse is a bad row, found before anything is written.
    const [message, fields] = await refusal(
      importRecordsCsv(project, 'Host', 'name\nfine-1\nnot_fine\n', asOperator),
    );
    expect([message, fields]).toEqual([
      'nothing imported: 1 row(s) with errors',
      { 'line 3': expect.stringMatching(/^invalid host name "not_fine"/) as unknown },
    ]);
    expect(await project.records.findBy('Host', 'name', 'fine-1')).toBeUndefined();
  });

  it('checks every row against the model first, and writes nothing when one is bad', async () => {
    await project.hosts.add({ name: 'web-1' });
    const csv = [
      'host,role,cores',
      'web-1,web,4',
      'web-1,chef,2', // not one of the roles
      '999999,db,1', // no such host
      'web-1,db,many', // not a number
      '',
    ].join('\n');
    const [message, fields] = await refusal(importRecordsCsv(project, 'Server', csv, asOperator));
    expect(message).toBe('nothing imported: 3 row(s) with errors');
    expect(fields).toEqual({
      'line 3': expect.stringMatching(/^invalid Server: role: /) as unknown,
      'line 4': 'host: there is no Host #999999',
      'line 5': 'cores: "many" is not a number',
    });
    expect((await project.records.list('Server')).total).toBe(0);
  });

  it('finds unique values taken, in the file or by another record, before writing', async () => {
    const web1 = await project.hosts.add({ name: 'web-1' });
    const web2 = await project.hosts.add({ name: 'web-2' });
    await project.hosts.add({ name: 'web-3' });
    const mine = await project.records.create('Server', { host: web1.id });
    const csv = [
      'id,host,role',
      `${mine.id},web-1,db`, // its own host: not taken
      ',web-2,web',
      ',web-2,db', // the line before gives web-2 too
      ',web-1,web', // the first server's
      '',
    ].join('\n');
    const [message, fields] = await refusal(importRecordsCsv(project, 'Server', csv, asOperator));
    expect([message, fields]).toEqual([
      'nothing imported: 2 row(s) with errors',
      {
        'line 4': `host: line 3 gives ${web2.id} too, and it is unique`,
        'line 5': `host: Server #${mine.id} already has ${web1.id}`,
      },
    ]);
    const hosts = await refusal(
      importRecordsCsv(project, 'Host', 'name\nweb-4\nweb-3\nweb-4\n', asOperator),
    );
    expect(hosts[1]).toEqual({
      'line 3': `name: Host #${(await project.hosts.get('web-3')).id} already has web-3`,
      'line 4': 'name: line 2 gives web-4 too, and it is unique',
    });
    expect((await project.records.list('Server')).total).toBe(1);
  });

  it('stops at a write the database refuses, saying what it wrote before', async () => {
    const web1 = await project.hosts.add({ name: 'web-1' });
    // A unique number with a fraction is not looked up before the writes: its write refuses it.
    const csv = `host,weight\n${web1.id},0.5\n${web1.id},1.5\n${web1.id},0.5\n`;
    const [message] = await refusal(importRecordsCsv(project, 'Reading', csv, asOperator));
    expect(message).toMatch(/^line 4: .*weight.*\(2 added and 0 changed before it\)$/);
    expect((await project.records.list('Reading')).total).toBe(2);
  });

  it("gives a new record's empty cells their defaults, as an export's columns leave them", async () => {
    await project.hosts.addGroup({ name: 'web' });
    const hosts = 'id,name,groups,hostname,port,user,config,disabled,comment\n,web-9,web,,,,,,\n';
    expect(await importRecordsCsv(project, 'Host', hosts, asOperator)).toMatchObject({ added: 1 });
    expect(await project.hosts.get('web-9')).toMatchObject({
      groups: ['web'],
      config: {},
      disabled: false,
      port: null,
    });
    const servers = 'host,role,os,monitored\nweb-9,,,\n';
    expect(await importRecordsCsv(project, 'Server', servers, asOperator)).toMatchObject({
      added: 1,
    });
    expect((await project.records.list('Server')).items[0]).toMatchObject({
      role: 'other',
      os: null,
      monitored: true,
    });
  });

  it('changes only what differs, and says it as a person reads it', async () => {
    const web1 = await project.hosts.add({ name: 'web-1' });
    await project.hosts.add({ name: 'web-2' });
    const server = await project.records.create('Server', { host: web1.id, role: 'web', cores: 2 });
    const csv = `id,host,role,cores\n${server.id},web-2,web,2\n`;
    const dry = await importRecordsCsv(project, 'Server', csv, { ...asOperator, dryRun: true });
    expect(dry.rows).toEqual([
      {
        line: 2,
        outcome: 'changed',
        label: `Server #${server.id}`,
        changes: [{ field: 'host', before: 'web-1', after: 'web-2' }],
      },
    ]);
    expect((await project.records.get('Server', server.id))['host']).toBe(web1.id);
    const done = await importRecordsCsv(project, 'Server', csv, asOperator);
    expect([done.changed, done.unchanged]).toEqual([1, 0]);
    const again = await importRecordsCsv(project, 'Server', csv, asOperator);
    expect([again.changed, again.unchanged, again.rows]).toEqual([0, 1, []]);
  });
});
