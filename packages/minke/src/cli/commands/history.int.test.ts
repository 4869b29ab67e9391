import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runCli } from '../../../test-support/run-cli.js';
import { loadProjectConfig } from '../../runtime/load-project.js';
import { InputError, NotFoundError } from '../../errors.js';
import { openProject, type OpenedProject } from '../../runtime/open-project.js';
import { UsageError } from '../cli-error.js';
import type { Out } from '../output.js';
import {
  listHistory,
  parseObjectOption,
  purgeHistory,
  registerHistoryCommands,
  showHistoryRecord,
  type Confirmation,
} from './history.js';
import { listSessions, registerSessionCommands } from './sessions.js';

const tmp = mkdtempSync(join(tmpdir(), 'minke-history-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const dir = join(tmp, 'project');
const globals = { project: dir };
const DAY = 24 * 3_600_000;
const now = Date.now();
const ago = (ms: number) => new Date(now - ms);
// eslint-disable-next-line no-control-regex
const ansi = /\u001b\[\d+m/;

/** An Out that keeps its lines; `color` as a terminal would have it. */
function memoryOut(color = false): Out & { lines: string[]; text(): string } {
  const lines: string[] = [];
  return {
    color,
    lines,
    text: () => lines.join('\n'),
    line: (text = '') => void lines.push(text),
    json: (value) => void lines.push(JSON.stringify(value, null, 2)),
    table: (headers, rows) => {
      lines.push(headers.join('  '));
      for (const row of rows) lines.push(row.map((cell) => String(cell ?? '')).join('  '));
    },
  };
}

function answering(answer: string, interactive = true): Confirmation & { questions: string[] } {
  const questions: string[] = [];
  return {
    interactive,
    questions,
    ask: (question) => {
      questions.push(question);
      return Promise.resolve(answer);
    },
  };
}

const ids: Record<string, number> = {};

async function openTestProject(): Promise<OpenedProject> {
  return openProject(await loadProjectConfig(dir, {}));
}

// A real project (`minke init` + `minke migrate`), filled through the store as the executor would.
beforeAll(async () => {
  // The commands read the environment as the CLI does: keep a developer's database out of it.
  delete process.env['MINKE_DATABASE_URL'];
  expect((await runCli(['init', dir])).code).toBe(0);
  expect((await runCli(['--project', dir, 'migrate'])).code).toBe(0);
  const project = await openTestProject();
  try {
    const { db, adapter } = project.database;
    const date = (value: Date) => adapter.encodeDate(value);
    const web1 = await project.hosts.add({ name: 'web-1', hostname: '127.0.0.1' });
    const web2 = await project.hosts.add({ name: 'web-2', hostname: '127.0.0.1' });
    const server = await project.records.create('Server', { host: web1.id, role: 'web' });
    const run = async (session: string, model: string, at: Date) =>
      Number(
        (
          await db
            .insertInto('minke_runs')
            .values({ session, model, data: '{}', state: 'finished', created_at: date(at) })
            .returning('id')
            .executeTakeFirstOrThrow()
        ).id,
      );
    const record = async (values: {
      run: number;
      session: string;
      verbose: string;
      model: string;
      objectId: number;
      label: string;
      host: { id: number; name: string };
      state: string;
      result: string | null;
      at: Date;
      ms: number | null;
    }) =>
      Number(
        (
          await db
            .insertInto('minke_session_records')
            .values({
              run_id: values.run,
              session: values.session,
              verbose_name: values.verbose,
              model: values.model,
              object_id: values.objectId,
              object_label: values.label,
              host_id: values.host.id,
              host_name: values.host.name,
              process_state: values.state,
              result: values.result,
              created_at: date(values.at),
              started_at: values.state === 'initialized' ? null : date(values.at),
              finished_at:
                values.ms === null ? null : date(new Date(values.at.getTime() + values.ms)),
              duration_ms: values.ms,
            })
            .returning('id')
            .executeTakeFirstOrThrow()
        ).id,
      );
    const infoRun = await run('ServerInfo', 'Server', ago(400 * DAY));
    ids['old'] = await record({
      run: infoRun,
      session: 'ServerInfo',
      verbose: 'Server info',
      model: 'Server',
      objectId: server.id,
      label: 'Server 1',
      host: web1,
      state: 'completed',
      result: 'success',
      at: ago(400 * DAY),
      ms: 1234,
    });
    const diskRun = await run('DiskUsage', 'Host', ago(2 * DAY));
    ids['ok'] = await record({
      run: diskRun,
      session: 'DiskUsage',
      verbose: 'Disk usage',
      model: 'Host',
      objectId: web1.id,
      label: 'web-1',
      host: web1,
      state: 'completed',
      result: 'warning',
      at: ago(2 * DAY),
      ms: 2500,
    });
    ids['failed'] = await record({
      run: diskRun,
      session: 'DiskUsage',
      verbose: 'Disk usage',
      model: 'Host',
      objectId: web2.id,
      label: 'web-2',
      host: web2,
      state: 'failed',
      result: 'error',
      at: ago(2 * DAY - 1000),
      ms: 40,
    });
    const message = (level: string, text: string) => ({
      session_record_id: ids['ok'],
      level,
      kind: 'preformatted',
      text,
    });
    await db
      .insertInto('minke_messages')
      .values(message('info', 'Filesystem  Use%\n/dev/sda1   91%'))
      .execute();
    await db.insertInto('minke_messages').values(message('warning', '/ is almost full')).execute();
    const bool = (value: boolean) => adapter.encodeBool(value);
    await db
      .insertInto('minke_commands')
      .values({
        session_record_id: ids['ok'],
        command: 'df -h',
        exit_code: 0,
        stdout: 'Filesystem  Use%\n/dev/sda1   91%\n',
        stderr: 'df: /mnt: Permission denied\n',
        pty: bool(false),
        killed: bool(false),
        timed_out: bool(false),
        status: 'warning',
        started_at: date(ago(2 * DAY)),
        finished_at: date(new Date(ago(2 * DAY).getTime() + 2400)),
        duration_ms: 2400,
      })
      .execute();
  } finally {
    await project.close();
  }
});

describe('minke history', () => {
  it('prints a table, newest first, without colours off a terminal', async () => {
    const out = memoryOut();
    await listHistory(globals, {}, out);
    expect(out.lines[0]).toMatch(
      /^ID\s+WHEN\s+SESSION\s+OBJECT\s+HOST\s+USER\s+STATE\s+RESULT\s+TIME$/,
    );
    expect(out.lines.slice(1).map((line) => Number(line.split(/\s+/)[0]))).toEqual([
      ids['failed'],
      ids['ok'],
      ids['old'],
    ]);
    expect(out.lines[1]).toMatch(
      /^\d+\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\s+DiskUsage\s+web-2 \(Host:2\)\s+web-2\s+failed\s+error\s+0\.0s$/,
    );
    expect(out.lines[3]).toMatch(
      /ServerInfo\s+Server 1 \(Server:1\)\s+web-1\s+completed\s+success\s+1\.2s$/,
    );
    expect(out.text()).not.toMatch(ansi);
    expect(out.lines).toHaveLength(4);
  });

  it('colours results on a terminal, keeping the columns aligned', async () => {
    const out = memoryOut(true);
    await listHistory(globals, {}, out);
    expect(out.lines[0]).toBe(`\u001b[1m${memoryOutPlainHeader(out.lines[0] ?? '')}\u001b[22m`);
    expect(out.lines[1]).toContain('\u001b[31merror\u001b[39m');
    expect(out.lines[2]).toContain('\u001b[33mwarning\u001b[39m');
    expect(out.lines[3]).toContain('\u001b[32msuccess\u001b[39m');
    const plain = memoryOut();
    await listHistory(globals, {}, plain);
    const strip = (line: string) => line.replace(/\u001b\[\d+m/g, ''); // eslint-disable-line no-control-regex
    expect(out.lines.map(strip)).toEqual(plain.lines);
  });

  it('filters by object, host, session, status, model, run and date, and pages', async () => {
    const listed = async (options: Parameters<typeof listHistory>[1]) => {
      const out = memoryOut();
      await listHistory(globals, { ...options, json: true }, out);
      return (JSON.parse(out.text()) as { items: { id: number }[] }).items.map((i) => i.id);
    };
    expect(await listed({ object: 'Server:1' })).toEqual([ids['old']]);
    expect(await listed({ object: 'server:1' })).toEqual([ids['old']]);
    expect(await listed({ object: 'web-1' })).toEqual([ids['ok'], ids['old']]);
    expect(await listed({ session: 'DiskUsage' })).toEqual([ids['failed'], ids['ok']]);
    expect(await listed({ status: 'error' })).toEqual([ids['failed']]);
    expect(await listed({ status: 'COMPLETED' })).toEqual([ids['ok'], ids['old']]);
    expect(await listed({ model: 'Host' })).toEqual([ids['failed'], ids['ok']]);
    expect(await listed({ since: '30d' })).toEqual([ids['failed'], ids['ok']]);
    expect(await listed({ until: '30d' })).toEqual([ids['old']]);

    const json = memoryOut();
    await listHistory(globals, { limit: '1', offset: '1', json: true }, json);
    expect(JSON.parse(json.text())).toMatchObject({
      total: 3,
      limit: 1,
      offset: 1,
      items: [{ id: ids['ok'], procInfo: 'completed in 2.5 seconds', hostName: 'web-1' }],
    });

    const paged = memoryOut();
    await listHistory(globals, { limit: '2' }, paged);
    expect(paged.lines).toHaveLength(4);
    expect(paged.lines[3]).toBe('(2 of 3; next page: --offset 2)');
    const none = memoryOut();
    await listHistory(globals, { session: 'Nope' }, none);
    expect(none.lines).toEqual(['no session records']);
  });

  it('refuses bad flags with one clear message', async () => {
    const fails = (options: Parameters<typeof listHistory>[1]) =>
      listHistory(globals, options, memoryOut());
    await expect(fails({ object: 'Server:x' })).rejects.toThrow(
      new UsageError(
        '--object "Server:x": use MODEL:ID for one object (Server:3) or a host name (web-1)',
      ),
    );
    await expect(fails({ status: 'green' })).rejects.toThrow(InputError);
    await expect(fails({ status: 'green' })).rejects.toThrow(
      'unknown status "green": use a result',
    );
    await expect(fails({ limit: 'ten' })).rejects.toThrow(UsageError);
    await expect(fails({ limit: '0' })).rejects.toThrow('--limit "0": expected a whole number');
    await expect(fails({ run: '-1' })).rejects.toThrow(UsageError);
    await expect(fails({ since: 'yesterday' })).rejects.toThrow('--since "yesterday": use a date');
    await expect(fails({ user: 'nobody' })).rejects.toThrow('user nobody does not exist');
    expect(parseObjectOption('web-1.example.com')).toEqual({ host: 'web-1.example.com' });
    expect(parseObjectOption('App:12')).toEqual({ model: 'App', id: 12 });
  });

  it('shows a record: header, messages as prnt did, and commands', async () => {
    const out = memoryOut();
    await showHistoryRecord(globals, String(ids['ok']), {}, out);
    const text = out.text();
    expect(text).toContain(`id:       ${ids['ok']}\n`);
    expect(text).toContain('session:  DiskUsage (Disk usage)\n');
    expect(text).toContain('object:   web-1 (Host:1)\n');
    expect(text).toContain('state:    completed: completed in 2.5 seconds\n');
    expect(text).toContain('result:   warning\n');
    expect(text).toContain(
      [
        'WARNING: web-1 (Host:1)',
        'info   : Filesystem  Use%',
        'info   : /dev/sda1   91%',
        'warning: / is almost full',
        '',
        'commands:',
        '$ df -h',
        '  exit code 0, 2.4 seconds',
        '  stdout:',
        '    Filesystem  Use%',
        '    /dev/sda1   91%',
        '  stderr:',
        '    df: /mnt: Permission denied',
      ].join('\n'),
    );
    expect(text).not.toMatch(ansi);

    const colored = memoryOut(true);
    await showHistoryRecord(globals, String(ids['ok']), {}, colored);
    expect(colored.text()).toContain('\u001b[43mWARNING\u001b[49m: web-1 (Host:1)');
    expect(colored.text()).toContain(
      `\u001b[32minfo   \u001b[39m: \u001b[4m${'/dev/sda1   91%'.padEnd(60)}\u001b[24m`,
    );
    expect(colored.text()).toContain('\u001b[33mwarning\u001b[39m: / is almost full\n');

    const json = memoryOut();
    await showHistoryRecord(globals, String(ids['ok']), { json: true }, json);
    expect(JSON.parse(json.text())).toMatchObject({
      id: ids['ok'],
      messages: [{ level: 'info' }, { level: 'warning', text: '/ is almost full' }],
      commands: [{ command: 'df -h', exitCode: 0, durationMs: 2400 }],
    });

    const bare = memoryOut();
    await showHistoryRecord(globals, String(ids['failed']), {}, bare);
    expect(bare.lines.at(-1)).toBe('ERROR  : web-2 (Host:2)');
  });

  it('says when a record does not exist or the id is not one', async () => {
    await expect(showHistoryRecord(globals, '999', {}, memoryOut())).rejects.toThrow(
      new NotFoundError('session record 999 does not exist'),
    );
    await expect(showHistoryRecord(globals, 'abc', {}, memoryOut())).rejects.toThrow(
      new UsageError('the session record id "abc": expected a whole number of at least 1'),
    );
  });
});

describe('minke history purge', () => {
  it('refuses without --yes off a terminal, and refuses a bad age', async () => {
    await expect(
      purgeHistory(globals, { olderThan: '1y' }, memoryOut(), answering('y', false)),
    ).rejects.toThrow(
      new UsageError(
        'history purge deletes session records for good and there is no terminal to ask: add --yes',
      ),
    );
    await expect(
      purgeHistory(globals, { olderThan: '6x', yes: true }, memoryOut(), answering('y')),
    ).rejects.toThrow(
      new InputError('--older-than "6x": use a number and a unit: h, d, w, m (months) or y'),
    );
  });

  it('asks at a terminal, and deletes only what is old enough', async () => {
    const declined = answering('n');
    const out = memoryOut();
    await purgeHistory(globals, { olderThan: '1y' }, out, declined);
    expect(declined.questions).toEqual([
      expect.stringMatching(
        /^Delete 1 session record\(s\) created before \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC, with their messages and commands\? \[y\/N\] $/,
      ),
    ]);
    expect(out.lines).toEqual(['nothing deleted']);

    const nothing = memoryOut();
    await purgeHistory(globals, { olderThan: '5y' }, nothing, answering('y'));
    expect(nothing.lines[0]).toMatch(/^no session records created before /);

    const accepted = memoryOut();
    await purgeHistory(globals, { olderThan: '1y' }, accepted, answering('yes'));
    expect(accepted.lines).toEqual([
      expect.stringMatching(/^deleted 1 session record\(s\) created before /),
    ]);
    const left = memoryOut();
    await listHistory(globals, { json: true }, left);
    expect((JSON.parse(left.text()) as { items: { id: number }[] }).items.map((i) => i.id)).toEqual(
      [ids['failed'], ids['ok']],
    );
  });
});

describe('minke sessions list', () => {
  it("lists the project's sessions by group with models, permissions and form fields", async () => {
    const out = memoryOut();
    await listSessions(globals, {}, out);
    expect(out.lines).toEqual([
      'NAME  VERBOSE NAME  GROUP  MODELS  PERMISSIONS  FORM  TIMEOUT',
      'DiskUsage  Disk usage  Info  Host,Server  run_disk_usage    ',
      'ServerInfo  Server info  Info  Server  run_server_info    ',
    ]);
    const json = memoryOut();
    await listSessions(globals, { model: 'host', json: true }, json);
    expect(JSON.parse(json.text())).toEqual([
      {
        name: 'DiskUsage',
        verboseName: 'Disk usage',
        group: 'Info',
        description: null,
        models: ['Host', 'Server'],
        permissions: ['run_disk_usage'],
        runPermission: 'run_disk_usage',
        confirm: false,
        parallelPerHost: false,
        timeoutMs: null,
        formFields: null,
      },
    ]);
    await expect(listSessions(globals, { model: 'Nope' }, memoryOut())).rejects.toThrow(
      'unknown model "Nope" (known: Host, Server)',
    );
  });
});

describe('the commands as wired into a program', () => {
  /** Runs `minke ...` in this process through commander, capturing what it writes to stdout. */
  async function minke(...args: string[]): Promise<string> {
    const program = new Command('minke')
      .option('-p, --project <dir>')
      .exitOverride()
      .configureOutput({ writeErr: () => undefined });
    registerHistoryCommands(program);
    registerSessionCommands(program);
    for (const command of program.commands) {
      command.exitOverride();
      for (const sub of command.commands) sub.exitOverride();
    }
    let written = '';
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      written += String(chunk);
      return true;
    });
    try {
      await program.parseAsync(['node', 'minke', '--project', dir, ...args]);
    } finally {
      spy.mockRestore();
    }
    return written;
  }

  it('lists by default, shows, filters and purges with --yes', async () => {
    expect(await minke('history', '--status', 'error')).toMatch(
      /^ID\s+WHEN.*\n\d+\s.*failed\s+error/,
    );
    expect(await minke('history', 'list', '--session', 'DiskUsage', '--limit', '1')).toMatch(
      /\(1 of 2; next page: --offset 1\)\n$/,
    );
    const shown = JSON.parse(await minke('history', 'show', String(ids['failed']), '--json')) as {
      id: number;
    };
    expect(shown.id).toBe(ids['failed']);
    expect(await minke('sessions', 'list', '--model', 'Server')).toContain('ServerInfo');
    expect(await minke('history', 'purge', '--older-than', '1y', '--yes')).toMatch(
      /^deleted 0 session record\(s\) created before/,
    );
    await expect(minke('history', 'purge')).rejects.toThrow(
      "error: required option '--older-than <age>' not specified",
    );
  });
});

function memoryOutPlainHeader(line: string): string {
  return line.replace(/\u001b\[\d+m/g, ''); // eslint-disable-line no-control-regex
}
