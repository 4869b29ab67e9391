import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync, statSync } from 'node:fs';
import { chmod, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { sqliteBackend, tempSqliteFile, type TestBackend } from '../../test-support/databases.js';
import {
  bullmqRedisExecutor,
  inProcessExecutor,
  type StartedExecutor,
} from '../../test-support/queue-executors.js';
import { eventSeen, runFinished } from '../../test-support/run-waiter.js';
import { startSshd, sshdUnavailableReason, type SshdServer } from '../../test-support/sshd.js';
import { passwordTestUser, sudoUnavailableReason } from '../../test-support/sudo-user.js';
import { startRun } from '../operations/start-run.js';
import type { OpenedProject } from '../runtime/open-project.js';
import type { Runtime } from '../runtime/runtime.js';
import { SessionHistory } from '../runs/history.js';
import { Session } from './session.js';

/**
 * `this.c` as sessions use it, run by the real executors (in-process and BullMQ) against a real
 * sshd on loopback: what lands in the session's history is what the user sees.
 */
const paths = z.object({ dir: z.string(), local: z.string() });

class ShipConfig extends Session<typeof paths> {
  static override workOn = ['Host'];
  static override form = paths;
  override async process() {
    const { dir, local } = this.data;
    await this.c.put({ content: 'PORT=8080\n' }, `${dir}/app env`, { mode: 0o600 });
    await this.c.put(`${local}/source.txt`, `${dir}/`);
    const back = await this.c.get(`${dir}/app env`);
    await this.addMsg(`read back: ${back.data?.toString().trim()}`);
    await this.c.get(`${dir}/source.txt`, `${local}/fetched.txt`);
    await this.c.run(`cat ${dir}/source.txt`);
    await this.c.local('printf "%s" "$MINKE_MARK"', { env: { MINKE_MARK: 'on minke' } });
  }
}

class FetchMissing extends Session<typeof paths> {
  static override workOn = ['Host'];
  static override form = paths;
  override async process() {
    await this.c.get(`${this.data.dir}/missing.conf`);
    await this.c.run('echo never');
  }
}

class StopBeforePut extends Session<typeof paths> {
  static override workOn = ['Host'];
  static override form = paths;
  override async process() {
    await this.c.run('sleep 1.5');
    await this.c.put({ content: 'too late' }, `${this.data.dir}/late.txt`);
  }
}

class EndlessLocal extends Session<typeof paths> {
  static override workOn = ['Host'];
  static override form = paths;
  override async process() {
    await this.c.local(`sleep 300 # ${this.data.dir}`);
    await this.c.run('echo never');
  }
}

const installForm = z.object({ staging: z.string(), target: z.string() });

class InstallAsRoot extends Session<typeof installForm> {
  static override workOn = ['Host'];
  static override form = installForm;
  override async process() {
    const { staging, target } = this.data;
    await this.c.put({ content: 'managed by minke\n' }, `${staging}/app.conf`);
    await this.c.sudo(`install -m 640 ${staging}/app.conf ${target}/app.conf`);
    const whoami = await this.c.sudo('id -un');
    const nobody = await this.c.sudo('id -un', { user: 'nobody' });
    await this.addMsg(`${whoami.stdout.trim()} ${nobody.stdout.trim()}`);
  }
}

const rootForm = z.object({ local: z.string(), target: z.string() });

/** Writes and reads where only root may, with `sudo: true` on put and get. */
class ShipAsRoot extends Session<typeof rootForm> {
  static override workOn = ['Host'];
  static override form = rootForm;
  override async process() {
    const { local, target } = this.data;
    const options = { sudo: true, mode: 0o640, owner: 'root', group: 'daemon' };
    await this.c.put({ content: 'secret=1\n' }, `${target}/app.conf`, options);
    await this.c.put(`${local}/tool.sh`, `${target}/`, { sudo: true });
    const back = await this.c.get(`${target}/app.conf`, undefined, { sudo: true });
    await this.addMsg(`read back as root: ${back.data?.toString().trim()}`);
  }
}

/** Bytes have no name of their own: a folder as the target is refused. */
class BytesIntoFolder extends Session<typeof rootForm> {
  static override workOn = ['Host'];
  static override form = rootForm;
  override async process() {
    await this.c.put({ content: 'lost?' }, `${this.data.target}/`, { sudo: true });
  }
}

const sessions = [
  ShipConfig,
  FetchMissing,
  StopBeforePut,
  EndlessLocal,
  InstallAsRoot,
  ShipAsRoot,
  BytesIntoFolder,
];
/** The folders `mktemp -d` made for `user` in /tmp. */
function stagingFolders(user: string): string[] {
  const uid = Number(execFileSync('id', ['-u', user], { encoding: 'utf8' }));
  return readdirSync('/tmp')
    .filter((name) => name.startsWith('tmp.'))
    .filter((name) => {
      try {
        return statSync(join('/tmp', name)).uid === uid;
      } catch {
        return false; // gone meanwhile
      }
    })
    .sort();
}

const unavailable = sshdUnavailableReason();
let sshd: SshdServer;
let tmp: string;

beforeAll(async () => {
  if (unavailable) return;
  sshd = await startSshd();
  tmp = await mkdtemp(join(tmpdir(), 'minke-session-c-'));
});
afterAll(async () => {
  await sshd?.stop();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

describe.skipIf(unavailable !== undefined).each([inProcessExecutor, bullmqRedisExecutor()])(
  'this.c on $name',
  (executor) => {
    let backend: TestBackend;
    let project: OpenedProject;
    let started: StartedExecutor;
    let runtime: Runtime;
    let history: SessionHistory;
    let hostId: number;
    let dir: string;
    let local: string;
    const hostConfig = () => ({
      identityFiles: [sshd.clientKeyPath],
      agent: false,
      knownHostsFiles: [sshd.knownHostsFile],
      sshConfigFile: false,
      connectTimeoutMs: 5000,
    });

    beforeEach(async () => {
      backend = sqliteBackend(tempSqliteFile(tmp));
      project = await backend.open([], {}, sessions);
      started = await executor.start(project);
      runtime = started.runtime;
      history = new SessionHistory(project.database);
      const host = await project.hosts.add({
        name: 'web-1',
        hostname: sshd.host,
        port: sshd.port,
        user: sshd.user,
        config: hostConfig(),
      });
      hostId = host.id;
      dir = await mkdtemp(join(tmp, 'remote-'));
      local = await mkdtemp(join(tmp, 'local-'));
    });
    afterEach(async () => {
      await started.cleanup();
      await project.close();
      await backend.cleanup();
    });

    async function run(session: string, data: Record<string, unknown>, ids = [hostId]) {
      const begun = await startRun(runtime, { session, model: 'Host', ids, data });
      await runFinished(runtime.bus, begun.runId);
      return history.get(begun.records[0]?.recordId as number);
    }

    it('puts, gets and runs locally, and records each in the history', async () => {
      await writeFile(join(local, 'source.txt'), 'from the minke machine\n');
      await chmod(join(local, 'source.txt'), 0o640); // kept on the host, as Fabric keeps it
      const record = await run('ShipConfig', { dir, local });
      expect(record).toMatchObject({ processState: 'completed', result: 'success' });
      expect(record.commands.map((c) => [c.command, c.exitCode])).toEqual([
        [`put <data> -> '${dir}/app env' (mode 0600, 10 bytes)`, 0],
        [`put ${local}/source.txt -> ${dir}/source.txt (mode 0640, 23 bytes)`, 0],
        [`get '${dir}/app env' (10 bytes)`, 0],
        [`get ${dir}/source.txt -> ${local}/fetched.txt (23 bytes)`, 0],
        [`cat ${dir}/source.txt`, 0],
        ['[local] printf "%s" "$MINKE_MARK"', 0],
      ]);
      expect(record.commands[4]?.stdout).toBe('from the minke machine\n');
      expect(record.commands[5]?.stdout).toBe('on minke');
      expect(record.messages.map((m) => m.text)).toEqual(['read back: PORT=8080']);
      expect(((await stat(join(dir, 'app env'))).mode & 0o777).toString(8)).toBe('600');
      expect(await readFile(join(local, 'fetched.txt'), 'utf8')).toBe('from the minke machine\n');
    });

    it('ends with the reason when the remote file does not exist, and records the attempt', async () => {
      const record = await run('FetchMissing', { dir, local });
      expect(record).toMatchObject({ processState: 'failed', result: 'error' });
      const reason = `${sshd.user}@[127.0.0.1]:${sshd.port}: no such file or directory (get ${dir}/missing.conf)`;
      expect(record.messages.map((m) => m.text)).toEqual([reason]);
      expect(record.commands).toHaveLength(1); // nothing ran after the failed get
      expect(record.commands[0]).toMatchObject({
        command: `get ${dir}/missing.conf`,
        exitCode: null,
        stderr: `${reason}\n`,
        status: 'error',
      });
    });

    it('starts no transfer after a stop', async () => {
      const begun = await startRun(runtime, {
        session: 'StopBeforePut',
        model: 'Host',
        ids: [hostId],
        data: { dir, local },
      });
      const recordId = begun.records[0]?.recordId as number;
      await eventSeen(
        runtime.bus,
        begun.runId,
        (e) => e.type === 'command.started' && e.recordId === recordId,
      );
      expect(await runtime.executor.stop(recordId)).toBe('stopping');
      await runFinished(runtime.bus, begun.runId);
      const record = await history.get(recordId);
      expect(record).toMatchObject({ processState: 'stopped', result: 'error' });
      expect(record.commands.map((c) => c.command)).toEqual(['sleep 1.5']);
      await expect(stat(join(dir, 'late.txt'))).rejects.toThrow(/ENOENT/);
    });

    it('kills a local command on the second stop, leaving no process behind', async () => {
      const marker = `minke-local-${randomBytes(6).toString('hex')}`;
      const begun = await startRun(runtime, {
        session: 'EndlessLocal',
        model: 'Host',
        ids: [hostId],
        data: { dir: marker, local },
      });
      const recordId = begun.records[0]?.recordId as number;
      await eventSeen(
        runtime.bus,
        begun.runId,
        (e) => e.type === 'command.started' && e.recordId === recordId,
      );
      expect(await runtime.executor.stop(recordId)).toBe('stopping');
      expect(await runtime.executor.stop(recordId)).toBe('killing');
      await runFinished(runtime.bus, begun.runId, 20_000);
      const record = await history.get(recordId);
      expect(record).toMatchObject({ processState: 'stopped', result: 'error' });
      expect(record.commands.map((c) => [c.command, c.killed])).toEqual([
        [`[local] sleep 300 # ${marker}`, true],
      ]);
      expect(execFileSync('ps', ['-eo', 'args='], { encoding: 'utf8' })).not.toContain(marker);
    });

    const sudoMissing = sudoUnavailableReason();

    /** A host as the password sudo user, its sudo password from the host config. */
    async function addSudoHost() {
      const account = passwordTestUser();
      if (typeof account === 'string') throw new Error(account);
      const sudoHost = await project.hosts.add({
        name: 'web-sudo',
        hostname: sshd.host,
        port: sshd.port,
        user: account.user,
        config: { ...hostConfig(), sudo: { password: { env: 'MINKE_TEST_SUDO_PASSWORD' } } },
      });
      await chmod(tmp, 0o755); // mkdtemp makes it 0700: the sudo user must reach inside
      return { account, sudoHost };
    }
    it.skipIf(sudoMissing !== undefined)(
      'installs a file as root with sudo, the password from the host config',
      async () => {
        const { account, sudoHost } = await addSudoHost();
        const staging = await mkdtemp(join(tmp, 'staging-'));
        await chmod(staging, 0o777); // the sudo user may write here, not in `target`
        const target = await mkdtemp(join(tmp, 'root-only-'));
        await chmod(target, 0o755);
        const record = await run('InstallAsRoot', { staging, target }, [sudoHost.id]);
        expect(record.messages.map((m) => m.text)).toEqual(['root nobody']);
        expect(record).toMatchObject({ processState: 'completed', result: 'success' });
        expect(record.commands.map((c) => c.command)).toEqual([
          `put <data> -> ${staging}/app.conf (17 bytes)`,
          `[sudo] install -m 640 ${staging}/app.conf ${target}/app.conf`,
          '[sudo] id -un',
          '[sudo -u nobody] id -un',
        ]);
        const installed = await stat(join(target, 'app.conf'));
        expect([installed.uid, (installed.mode & 0o777).toString(8)]).toEqual([0, '640']);
        expect(JSON.stringify(record)).not.toContain(account.password);
      },
    );

    it.skipIf(sudoMissing !== undefined)(
      'puts and gets as root with sudo: true, staging in a private folder it removes',
      async () => {
        const { account, sudoHost } = await addSudoHost();
        const target = await mkdtemp(join(tmp, 'root-only-'));
        await chmod(target, 0o755); // the sudo user may not write here itself
        await writeFile(join(local, 'tool.sh'), '#!/bin/sh\necho ok\n', { mode: 0o750 });
        const stagingOf = () => stagingFolders(account.user);
        const before = stagingOf();

        const record = await run('ShipAsRoot', { local, target }, [sudoHost.id]);
        expect(record.messages.map((m) => m.text)).toEqual(['read back as root: secret=1']);
        expect(record).toMatchObject({ processState: 'completed', result: 'success' });
        expect(record.commands.map((c) => c.command)).toEqual([
          `[sudo] put <data> -> ${target}/app.conf (mode 0640, owner root:daemon, 9 bytes)`,
          `[sudo] put ${local}/tool.sh -> ${target}/tool.sh (mode 0750, 18 bytes)`,
          `[sudo] get ${target}/app.conf (9 bytes)`,
        ]);
        const conf = await stat(join(target, 'app.conf'));
        const daemon = Number(
          execFileSync('getent', ['group', 'daemon'], { encoding: 'utf8' }).split(':')[2],
        );
        expect([conf.uid, conf.gid, (conf.mode & 0o777).toString(8)]).toEqual([0, daemon, '640']);
        const tool = await stat(join(target, 'tool.sh'));
        expect([tool.uid, (tool.mode & 0o777).toString(8)]).toEqual([0, '750']);
        expect(await readFile(join(target, 'tool.sh'), 'utf8')).toBe('#!/bin/sh\necho ok\n');

        const refused = await run('BytesIntoFolder', { local, target }, [sudoHost.id]);
        expect(refused).toMatchObject({ processState: 'failed', result: 'error' });
        expect(refused.commands.map((c) => [c.command, c.exitCode, c.stderr])).toEqual([
          [
            `[sudo] put <data> -> ${target}/`,
            null,
            `file transfer failed (put ${target}/ (sudo): ${target}/: is a folder; name the file to write)\n`,
          ],
        ]);
        // Each staging folder was removed, also after the refusal.
        expect(stagingOf()).toEqual(before);
        expect(JSON.stringify([record, refused])).not.toContain(account.password);
      },
    );
  },
);
