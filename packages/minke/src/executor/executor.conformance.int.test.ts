import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { backendFactories, type TestBackend } from '../../test-support/databases.js';
import { executorsUnderTest, type StartedExecutor } from '../../test-support/queue-executors.js';
import { eventSeen, runFinished } from '../../test-support/run-waiter.js';
import { startSshd, type SshdServer } from '../../test-support/sshd.js';
import { SessionError } from '../errors.js';
import { defineModel } from '../model/define-model.js';
import { f } from '../model/fields.js';
import { recordHistory } from '../audit/record-history.js';
import { startRun } from '../operations/start-run.js';
import type { OpenedProject } from '../runtime/open-project.js';
import type { Runtime } from '../runtime/runtime.js';
import { SessionHistory } from '../runs/history.js';
import { getRun } from '../runs/list-runs.js';
import {
  CommandChainSession,
  CommandFormSession,
  SessionChain,
  SingleCommandSession,
} from '../session/builtin-sessions.js';
import { Session } from '../session/session.js';
import { HostLeases } from './host-lease.js';

const Server = defineModel('Server', {
  fields: {
    host: f.ref('Host'),
    name: f.text(),
    os: f.text({ optional: true }),
    path: f.text({ optional: true }),
  },
  hostLookup: 'host',
  display: ['name'],
});

class Hello extends SingleCommandSession {
  static override workOn = [Server, 'Host'];
  static override command = 'printf "hello %s from %s\\n" {name} "$(hostname)"';
}
class Unicode extends SingleCommandSession {
  static override workOn = [Server];
  static override command = 'printf "foobär\\n"; printf "wörld\\n" >&2';
}
class Failing extends SingleCommandSession {
  static override workOn = [Server];
  static override command = 'echo broken >&2; exit 3';
}
class Chain extends CommandChainSession {
  static override workOn = [Server];
  static override commands = ['echo one', 'false', 'echo never'];
}
class Both extends SessionChain {
  static override workOn = [Server];
  static override sessions = [Hello, Failing, Unicode];
}
class Form extends CommandFormSession {
  static override workOn = [Server];
}
const listForm = z.object({ dir: z.string().min(1), count: z.number().int().min(1).default(2) });
class ListDir extends Session<typeof listForm> {
  static override workOn = [Server];
  static override form = listForm;
  override async process() {
    await this.xrun('ls -1 {dir} | head -n {count}');
  }
}
class FillOs extends Session {
  static override workOn = [Server];
  override async process() {
    await this.updateField('os', 'cat /etc/os-release', /^ID=(\S+)/m);
    await this.updateField('path', 'printf "%s\\n" "$PWD"');
  }
}
class Refuses extends Session {
  static override workOn = [Server];
  override async process() {
    await this.run('true');
    throw new SessionError('the app is not installed', 'install it first');
  }
}
class Buggy extends Session {
  static override workOn = [Server];
  override async process() {
    await this.run('true');
    (undefined as unknown as { x: () => void }).x();
  }
}
class Stamp extends SingleCommandSession {
  static override workOn = [Server];
  static override command = 'date +%s%N; sleep 0.4; date +%s%N';
}
/** Where the two ParallelStamp sessions meet; emptied before each run. */
const meetingPoint = mkdtempSync(join(tmpdir(), 'minke-parallel-'));
/**
 * Each session leaves its mark, then waits (at most 20 s) until it sees the other's: both print 2
 * only if they ran at the same time. Timestamps with a short sleep flaked on a loaded machine.
 */
class ParallelStamp extends SingleCommandSession {
  static override workOn = [Server];
  static override parallelPerHost = true;
  static override command =
    `d=${meetingPoint}; touch "$d/$$"; i=0; ` +
    `while [ "$(ls "$d" | wc -l)" -lt 2 ] && [ "$i" -lt 200 ]; do sleep 0.1; i=$((i+1)); done; ` +
    `ls "$d" | wc -l`;
}
class Slow extends Session {
  static override workOn = [Server];
  override async process() {
    await this.xrun('sleep 1.5; echo first done');
    await this.xrun('echo second');
  }
}
class Endless extends SingleCommandSession {
  static override workOn = [Server];
  static override command = 'sleep 300 # minke-endless-marker';
}
class EndlessPty extends SingleCommandSession {
  static override workOn = [Server];
  static override command = 'sleep 301 # minke-endless-pty-marker';
  static override connection = { pty: true };
}
class TimesOut extends Session {
  static override workOn = [Server];
  static override timeoutMs = 1000;
  override async process() {
    await this.xrun('sleep 302 # minke-timeout-marker');
    await this.xrun('echo never');
  }
}

const sessions = [
  Hello,
  Unicode,
  Failing,
  Chain,
  Both,
  Form,
  ListDir,
  FillOs,
  Refuses,
  Buggy,
  Stamp,
  ParallelStamp,
  Slow,
  Endless,
  EndlessPty,
  TimesOut,
];
const tmp = mkdtempSync(join(tmpdir(), 'minke-exec-'));
let sshd: SshdServer;

beforeAll(async () => {
  sshd = await startSshd();
});
afterAll(async () => {
  await sshd?.stop();
  rmSync(tmp, { recursive: true, force: true });
  rmSync(meetingPoint, { recursive: true, force: true });
});

/** Every executor on every database: a new executor is done when this suite passes. */
const cases = backendFactories(() => tmp).flatMap((database) =>
  executorsUnderTest(database.name as 'sqlite' | 'postgres').map((executor) => ({
    name: `${executor.name} on ${database.name}`,
    make: database.make,
    executor,
  })),
);

describe.each(cases)('sessions over SSH: $name', ({ make, executor }) => {
  let backend: TestBackend;
  let project: OpenedProject;
  let started: StartedExecutor;
  let runtime: Runtime;
  let history: SessionHistory;
  const servers: Record<string, number> = {};

  beforeEach(async () => {
    backend = make();
    project = await backend.open([Server], {}, sessions);
    started = await executor.start(project);
    runtime = started.runtime;
    history = new SessionHistory(project.database);
    const hostConfig = {
      identityFiles: [sshd.clientKeyPath],
      agent: false,
      knownHostsFiles: [sshd.knownHostsFile],
      sshConfigFile: false,
      connectTimeoutMs: 5000,
    };
    const web1 = await project.hosts.add({
      name: 'web-1',
      hostname: sshd.host,
      port: sshd.port,
      user: sshd.user,
      config: hostConfig,
    });
    const web2 = await project.hosts.add({
      name: 'web-2',
      hostname: sshd.host,
      port: sshd.port,
      user: sshd.user,
      config: hostConfig,
    });
    const off = await project.hosts.add({
      name: 'off',
      hostname: sshd.host,
      port: sshd.port,
      user: sshd.user,
      disabled: true,
      config: hostConfig,
    });
    const closed = await project.hosts.add({
      name: 'closed',
      hostname: '127.0.0.1',
      port: 1,
      user: 'root',
      config: hostConfig,
    });
    for (const [name, host] of [
      ['a', web1],
      ['b', web1],
      ['c', web2],
      ['off', off],
      ['closed', closed],
    ] as const) {
      servers[name] = (await project.records.create('Server', { host: host.id, name })).id;
    }
  });
  afterEach(async () => {
    await started.cleanup();
    await project.close();
    await backend.cleanup();
  });

  async function run(
    session: string,
    ids: string[],
    data?: Record<string, unknown>,
    timeoutMs?: number,
    runTimeoutMs?: number,
  ) {
    const started = await startRun(runtime, {
      session,
      model: 'Server',
      ids: ids.map((n) => servers[n] as number),
      data,
      timeoutMs,
      runTimeoutMs,
    });
    await runFinished(runtime.bus, started.runId);
    const page = await history.list({ runId: started.runId, limit: 100 });
    const records = await Promise.all(page.items.map((item) => history.get(item.id)));
    return { started, records: records.sort((x, y) => x.objectId - y.objectId) };
  }

  it('runs a command session on several hosts and records everything', async () => {
    const { records } = await run('Hello', ['a', 'c']);
    expect(records.map((r) => [r.processState, r.result])).toEqual([
      ['completed', 'success'],
      ['completed', 'success'],
    ]);
    expect(records[0]?.commands[0]?.stdout).toMatch(/^hello a from /);
    expect(records[0]?.commands[0]?.command).toBe(`printf "hello %s from %s\\n" a "$(hostname)"`);
    expect(records[0]?.messages[0]?.text).toMatch(/^code\[0\]/);
    expect(records[0]?.hostName).toBe('web-1');
  });

  it('keeps unicode output and gives warning for stderr, error for a failing command', async () => {
    const unicode = await run('Unicode', ['a']);
    expect(unicode.records[0]?.commands[0]).toMatchObject({
      stdout: 'foobär\n',
      stderr: 'wörld\n',
    });
    expect(unicode.records[0]?.result).toBe('warning');
    const failing = await run('Failing', ['a']);
    expect(failing.records[0]).toMatchObject({ processState: 'completed', result: 'error' });
    expect(failing.records[0]?.commands[0]?.exitCode).toBe(3);
  });

  it('runs chains with break states, and session chains', async () => {
    const chain = await run('Chain', ['a']);
    expect(chain.records[0]?.commands.map((c) => c.command)).toEqual(['echo one', 'false']);
    expect(chain.records[0]?.result).toBe('error');
    const both = await run('Both', ['a']);
    expect(both.records[0]?.messages.map((m) => m.text.split('\n')[0])).toEqual([
      'Run Hello',
      expect.stringMatching(/^code\[0\]/),
      'Run Failing',
      expect.stringMatching(/^code\[3\]/),
      'Failing finished with status error',
    ]);
  });

  it('validates form data and quotes every value', async () => {
    await expect(
      startRun(runtime, {
        session: 'ListDir',
        model: 'Server',
        ids: [servers['a'] as number],
        data: { count: 0 },
      }),
    ).rejects.toThrow(/invalid form data for ListDir: dir: .*; count: /);
    const listed = await run('ListDir', ['a'], { dir: '/etc; echo INJECTED', count: 1 });
    const command = listed.records[0]?.commands[0];
    expect(command?.command).toBe("ls -1 '/etc; echo INJECTED' | head -n 1");
    expect(command?.stdout).not.toContain('INJECTED');
    const form = await run('Form', ['a'], { cmd: 'echo typed | tr a-z A-Z' });
    expect(form.records[0]?.commands[0]?.stdout).toBe('TYPED\n');
  });

  it('updates fields of the object from command output, each change in its Changes', async () => {
    const id = servers['a'] as number;
    const { started, records } = await run('FillOs', ['a']);
    expect(records[0]?.result).toBe('success');
    const server = await project.records.get('Server', id);
    expect(server['os']).toBe('debian');
    expect(server['path']).toMatch(/^\//);
    // Each write that changed a value is an audited change, by the session, via its run.
    const window = { limit: 10, offset: 0 };
    const changes = await recordHistory(project.database, 'Server', id, window);
    expect(
      changes.items.map((c) => [c.actor.name, c.via, c.action, c.fields.map((f) => f.field)]),
    ).toEqual([
      ['session FillOs', `run ${started.runId}`, 'record.update', ['path']],
      ['session FillOs', `run ${started.runId}`, 'record.update', ['os']],
    ]);
    expect(changes.items[1]?.fields[0]).toEqual({ field: 'os', before: null, after: 'debian' });
    // The same values again: written, and nothing to add to the changes.
    await run('FillOs', ['a']);
    expect((await recordHistory(project.database, 'Server', id, window)).total).toBe(2);
  });

  it('turns SessionError, bugs, disabled and unreachable hosts into states the user can read', async () => {
    const refused = await run('Refuses', ['a']);
    expect(refused.records[0]).toMatchObject({ processState: 'completed', result: 'error' });
    expect(refused.records[0]?.messages.map((m) => m.text)).toEqual([
      'the app is not installed',
      'install it first',
    ]);
    const buggy = await run('Buggy', ['a']);
    expect(buggy.records[0]).toMatchObject({ processState: 'failed', result: 'error' });
    expect(buggy.records[0]?.messages.map((m) => m.text)).toEqual(['An error occurred.']);
    const offline = await run('Hello', ['off', 'closed']);
    expect(offline.records.map((r) => [r.objectLabel, r.processState, r.result])).toEqual([
      ['off (Server #4)', 'canceled', 'error'],
      ['closed (Server #5)', 'failed', 'error'],
    ]);
    expect(offline.records[0]?.messages[0]?.text).toBe('off (Server #4): host off is disabled');
    expect(offline.records[1]?.messages[0]?.text).toMatch(/connection refused/);
  });

  it('runs the sessions of one host one after another, unless parallel is allowed', async () => {
    const spans = (records: { commands: { stdout: string }[] }[]) =>
      records.map((r) =>
        (r.commands[0]?.stdout.trim().split('\n') ?? []).map((n) => Number(BigInt(n) / 1_000_000n)),
      );
    const serial = spans((await run('Stamp', ['a', 'b'])).records);
    const [first, second] = serial as [number[], number[]];
    expect((second[0] as number) >= (first[1] as number)).toBe(true); // b started after a ended
    rmSync(meetingPoint, { recursive: true, force: true });
    mkdirSync(meetingPoint);
    const parallel = (await run('ParallelStamp', ['a', 'b'])).records;
    // each saw the other running: overlapping
    expect(parallel.map((r) => r.commands[0]?.stdout.trim())).toEqual(['2', '2']);
  });

  it('stops softly after the current command, and kills on a second stop', async () => {
    const soft = await startRun(runtime, {
      session: 'Slow',
      model: 'Server',
      ids: [servers['a'] as number, servers['b'] as number],
    });
    const [first, second] = soft.records;
    await eventSeen(
      runtime.bus,
      soft.runId,
      (e) => e.type === 'command.started' && e.recordId === first?.recordId,
    );
    expect(await runtime.executor.stop(first?.recordId as number)).toBe('stopping');
    expect(await runtime.executor.stop(second?.recordId as number)).toBe('canceled');
    // Watchers hear of the stop at once, before the session ends: the UI shows "stopping".
    const states = (await runFinished(runtime.bus, soft.runId)).flatMap((e) =>
      (e.type === 'session.state' || e.type === 'session.finished') &&
      e.recordId === first?.recordId
        ? [`${e.type}:${e.processState}`]
        : [],
    );
    expect(states).toEqual([
      'session.state:running',
      'session.state:stopping',
      'session.finished:stopped',
    ]);
    const stopped = await history.get(first?.recordId as number);
    expect(stopped).toMatchObject({ processState: 'stopped', result: 'error' });
    expect(stopped.commands.map((c) => c.stdout)).toEqual(['first done\n']); // the command finished, nothing more ran
    expect(stopped.messages.at(-1)?.text).toMatch(/^stopped after \d+\.\d s$/);
    expect(await history.get(second?.recordId as number)).toMatchObject({
      processState: 'canceled',
      result: 'error',
    });

    const hard = await startRun(runtime, {
      session: 'Endless',
      model: 'Server',
      ids: [servers['c'] as number],
    });
    const recordId = hard.records[0]?.recordId as number;
    await eventSeen(
      runtime.bus,
      hard.runId,
      (e) => e.type === 'command.started' && e.recordId === recordId,
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await runtime.executor.stop(recordId)).toBe('stopping');
    expect(await runtime.executor.stop(recordId)).toBe('killing');
    const hardEvents = await runFinished(runtime.bus, hard.runId, 20_000);
    // One "stopping" for the first stop; the kill changes nothing a watcher sees until the end.
    expect(
      hardEvents.filter((e) => e.type === 'session.state' && e.processState === 'stopping'),
    ).toHaveLength(1);
    expect(await history.get(recordId)).toMatchObject({ processState: 'stopped', result: 'error' });
    const ps = await run('Form', ['c'], { cmd: 'ps -eo args' });
    expect(ps.records[0]?.commands[0]?.stdout).not.toContain('minke-endless-marker');
  });

  it('kills a command that runs with a pty too, leaving no process behind', async () => {
    const hard = await startRun(runtime, {
      session: 'EndlessPty',
      model: 'Server',
      ids: [servers['c'] as number],
    });
    const recordId = hard.records[0]?.recordId as number;
    await eventSeen(
      runtime.bus,
      hard.runId,
      (e) => e.type === 'command.started' && e.recordId === recordId,
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    await runtime.executor.stop(recordId);
    expect(await runtime.executor.stop(recordId)).toBe('killing');
    await runFinished(runtime.bus, hard.runId, 20_000);
    const record = await history.get(recordId);
    expect(record).toMatchObject({ processState: 'stopped', result: 'error' });
    const ps = await run('Form', ['c'], { cmd: 'ps -eo args' });
    expect(ps.records[0]?.commands[0]?.stdout).not.toContain('minke-endless-pty-marker');
  });

  it('stops a session past its time limit, kills its command and ends it failed', async () => {
    const started = Date.now();
    // Two servers on one host: the second starts once the first has timed out.
    const { records } = await run('TimesOut', ['a', 'b']);
    expect(Date.now() - started).toBeLessThan(20_000);
    for (const record of records) {
      expect(record).toMatchObject({ processState: 'failed', result: 'error' });
      expect(record.commands.map((c) => c.command)).toEqual(['sleep 302 # minke-timeout-marker']);
      expect(record.messages.at(-1)?.text).toBe(
        "timed out: the session's limit is 1 s; it was stopped and its running command killed",
      );
      expect(record.durationMs).toBeGreaterThanOrEqual(1000);
    }
    const ps = await run('Form', ['a'], { cmd: 'ps -eo args' });
    expect(ps.records[0]?.result).toBe('success');
    expect(ps.records[0]?.commands[0]?.stdout).not.toContain('minke-timeout-marker');
  });

  it("stops a session past the run's time limit, or the session's own when that is shorter", async () => {
    // Endless has no limit of its own: the run's, given at its start, holds it.
    const limited = await run('Endless', ['a'], undefined, 1500);
    expect(limited.records[0]).toMatchObject({ processState: 'failed', result: 'error' });
    expect(limited.records[0]?.messages.at(-1)?.text).toBe(
      "timed out: the run's limit is 1.5 s; it was stopped and its running command killed",
    );
    expect((await getRun(project.database, limited.started.runId)).timeoutMs).toBe(1500);
    // TimesOut's own 1 s is shorter than the run's 10 min: its own counts.
    const own = await run('TimesOut', ['a'], undefined, 600_000);
    expect(own.records[0]?.messages.at(-1)?.text).toBe(
      "timed out: the session's limit is 1 s; it was stopped and its running command killed",
    );
    const ps = await run('Form', ['a'], { cmd: 'ps -eo args' });
    expect(ps.records[0]?.commands[0]?.stdout).not.toContain('minke-endless-marker');
  });

  it('ends the whole run at its limit: the running session fails, the one after it never starts', async () => {
    const since = Date.now();
    // Two servers on one host: the second waits for the first, which would sleep 300 s.
    const limited = await run('Endless', ['a', 'b'], undefined, undefined, 1500);
    expect(Date.now() - since).toBeLessThan(20_000);
    const { records } = limited;
    const [first, second] = records;
    expect(first).toMatchObject({ processState: 'failed', result: 'error' });
    expect(first?.messages.at(-1)?.text).toBe(
      "timed out: the whole run's limit is 1.5 s; it was stopped and its running command killed",
    );
    // Its turn came at the limit: canceled before it starts, or stopped at once if it had a
    // moment left (a timer and the wall clock may differ by a millisecond).
    expect(second?.processState).toMatch(/^(canceled|failed)$/);
    expect(second?.messages.at(-1)?.text).toMatch(/the whole run's limit/);
    expect((await getRun(project.database, limited.started.runId)).runTimeoutMs).toBe(1500);
    const ps = await run('Form', ['a'], { cmd: 'ps -eo args' });
    expect(ps.records[0]?.commands[0]?.stdout).not.toContain('minke-endless-marker');
  });

  it('fails with the reason when authentication is refused or the host key changed', async () => {
    const keyDir = mkdtempSync(join(tmp, 'keys-'));
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(keyDir, 'stranger')]);
    const strangerKey = readFileSync(join(keyDir, 'stranger.pub'), 'utf8')
      .trim()
      .split(' ')
      .slice(0, 2)
      .join(' ');
    writeFileSync(join(keyDir, 'known_hosts'), `[${sshd.host}]:${sshd.port} ${strangerKey}\n`);
    const base = { agent: false, sshConfigFile: false, connectTimeoutMs: 5000 };
    const wrongKey = await project.hosts.add({
      name: 'wrong-key',
      hostname: sshd.host,
      port: sshd.port,
      user: sshd.user,
      config: {
        ...base,
        identityFiles: [join(keyDir, 'stranger')],
        knownHostsFiles: [sshd.knownHostsFile],
      },
    });
    const changed = await project.hosts.add({
      name: 'changed-key',
      hostname: sshd.host,
      port: sshd.port,
      user: sshd.user,
      config: {
        ...base,
        identityFiles: [sshd.clientKeyPath],
        knownHostsFiles: [join(keyDir, 'known_hosts')],
        strictHostKeyChecking: 'accept-new',
      },
    });
    servers['wrong'] = (
      await project.records.create('Server', { host: wrongKey.id, name: 'wrong' })
    ).id;
    servers['changed'] = (
      await project.records.create('Server', { host: changed.id, name: 'changed' })
    ).id;
    const { records } = await run('Hello', ['wrong', 'changed']);
    expect(records.map((r) => [r.processState, r.result])).toEqual([
      ['failed', 'error'],
      ['failed', 'error'],
    ]);
    expect(records[0]?.messages[0]?.text).toMatch(/authentication failed/);
    expect(records[1]?.messages[0]?.text).toMatch(/host key mismatch/);
    expect(records.every((r) => r.commands.length === 0)).toBe(true);
  });

  it('keeps a second run off a host while a first one works on it', async () => {
    const first = await startRun(runtime, {
      session: 'Slow',
      model: 'Server',
      ids: [servers['a'] as number],
    });
    await eventSeen(runtime.bus, first.runId, (e) => e.type === 'command.started');
    const second = await run('Hello', ['b']);
    expect(second.records[0]).toMatchObject({ processState: 'canceled', result: 'error' });
    expect(second.records[0]?.messages[0]?.text).toMatch(/^host web-1 is busy with run \d+/);
    await runFinished(runtime.bus, first.runId);
    expect((await history.list({ runId: first.runId })).items[0]).toMatchObject({
      processState: 'completed',
    });
  });

  it('cancels the sessions of a host leased by another run, and takes a lease left by a crash once it expires', async () => {
    const hostId = (await project.hosts.get('web-1')).id;
    const leases = new HostLeases(project.database, 60_000);
    expect(await leases.acquire(hostId, 'another-process', 999)).toBe(true);
    const busy = await run('Hello', ['a', 'c']);
    expect(busy.records.map((r) => [r.objectLabel, r.processState])).toEqual([
      ['a (Server #1)', 'canceled'],
      ['c (Server #3)', 'completed'],
    ]);
    expect(busy.records[0]?.messages[0]?.text).toMatch(/^host web-1 is busy with run 999/);
    // The run took both hosts' leases at once: the free one is released, the other's stays.
    const left = await project.database.db
      .selectFrom('minke_host_leases')
      .select(['host_id', 'owner'])
      .execute();
    expect(left).toEqual([{ host_id: hostId, owner: 'another-process' }]);
    // A crashed process stops renewing: its lease runs out and the host is free again.
    await project.database.db
      .updateTable('minke_host_leases')
      .set({ expires_at: project.database.adapter.encodeDate(new Date(Date.now() - 1000)) })
      .where('host_id', '=', hostId)
      .execute();
    const after = await run('Hello', ['a']);
    expect(after.records[0]).toMatchObject({ processState: 'completed', result: 'success' });
    expect(await leases.holder(hostId)).toBeUndefined();
  });

  it('refuses an unknown session, a wrong model and an empty selection', async () => {
    await expect(startRun(runtime, { session: 'Nope', all: true })).rejects.toThrow(
      'unknown session "Nope"',
    );
    await expect(startRun(runtime, { session: 'Hello', all: true })).rejects.toThrow(
      'Hello works on Server, Host: name one with --model',
    );
    await expect(startRun(runtime, { session: 'Chain', model: 'Host', all: true })).rejects.toThrow(
      'Chain does not work on Host',
    );
    await expect(
      startRun(runtime, { session: 'Hello', model: 'Server', where: 'name = zzz' }),
    ).rejects.toThrow('the selection is empty');
    await expect(
      startRun(runtime, { session: 'Hello', model: 'Server', ids: [999] }),
    ).rejects.toThrow('Server 999 does not exist');
    await expect(
      startRun(runtime, { session: 'Hello', model: 'Host', ids: ['ghost'] }),
    ).rejects.toThrow('host ghost does not exist');
  });
});
