import type { ChildProcess } from 'node:child_process';
import { chmod, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deleteRedisPrefix, REDIS_URL, uniqueRedisPrefix } from '../../test-support/redis.js';
import { runBuiltCli, spawnBuiltCli } from '../../test-support/run-cli.js';
import { startSshd, sshdUnavailableReason, type SshdServer } from '../../test-support/sshd.js';
import { passwordTestUser, sudoUnavailableReason } from '../../test-support/sudo-user.js';

/**
 * The user's door: a project made by `minke init`, credentials added with `minke credentials
 * add`, a host that names them, and a separate `minke worker` process (BullMQ on Redis) that
 * finds the project's key in `.minke/` and runs the session `minke run` queued. Meanwhile every
 * process's command line is watched for the secrets, and the worker's debug log is kept.
 */
const unavailable = sshdUnavailableReason() ?? sudoUnavailableReason();
const prefix = uniqueRedisPrefix();
const queued = { MINKE_REDIS_URL: REDIS_URL, MINKE_QUEUE_PREFIX: prefix };
let sshd: SshdServer;
let tmp: string;
let dir: string;

const sudoSession = `
/** Becomes root with the host's sudo password (from the credentials store). */
export class WhoIsRoot extends Session {
  static override workOn = ['Host'];
  override async process() {
    const who = await this.c.sudo('id -un');
    await this.addMsg(\`became \${who.stdout.trim()}\`);
  }
}
`;

const minke = (args: string[], env: Record<string, string> = {}) =>
  runBuiltCli(['--project', dir, ...args], { env: { MINKE_LOG_LEVEL: 'debug', ...env } });

beforeAll(async () => {
  if (unavailable) return;
  sshd = await startSshd();
  tmp = await mkdtemp(join(tmpdir(), 'minke-credential-worker-'));
  await chmod(tmp, 0o755);
  dir = join(tmp, 'p');
  expect((await runBuiltCli(['init', dir])).code).toBe(0);
  const sessions = await readFile(join(dir, 'sessions.ts'), 'utf8');
  await writeFile(join(dir, 'sessions.ts'), sessions + sudoSession);
  const config = await readFile(join(dir, 'minke.config.ts'), 'utf8');
  await writeFile(
    join(dir, 'minke.config.ts'),
    config
      .replace('import { DiskUsage, ServerInfo }', 'import { DiskUsage, ServerInfo, WhoIsRoot }')
      .replace('sessions: [ServerInfo, DiskUsage]', 'sessions: [ServerInfo, DiskUsage, WhoIsRoot]'),
  );
  expect((await minke(['migrate'])).code).toBe(0);
}, 180_000);
afterAll(async () => {
  await sshd?.stop();
  await deleteRedisPrefix(REDIS_URL, prefix);
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

/** Every command line on this machine now. */
async function commandLines(): Promise<string> {
  const out: string[] = [];
  for (const pid of (await readdir('/proc')).filter((name) => /^\d+$/.test(name)))
    out.push(
      (await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')).replaceAll('\0', ' '),
    );
  return out.join('\n');
}

function output(child: ChildProcess): () => string {
  let text = '';
  child.stdout?.on('data', (chunk: Buffer) => (text += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (text += chunk.toString()));
  return () => text;
}

async function until(check: () => boolean, what: () => string, timeoutMs = 60_000) {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting: ${what()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe.skipIf(unavailable !== undefined)(
  'stored credentials through the CLI and a worker',
  () => {
    it(
      'runs on a minke worker process with the stored key and sudo password, leaking neither',
      { timeout: 240_000 },
      async () => {
        const account = passwordTestUser();
        if (typeof account === 'string') throw new Error(account);
        const keyAdded = await minke(
          [
            'credentials',
            'add',
            'deploy',
            '--type',
            'ssh-key',
            '--from-file',
            sshd.encryptedClientKeyPath,
          ],
          { MINKE_SECRET_PASSPHRASE: sshd.passphrase },
        );
        expect(keyAdded.stdout).toMatch(/^added credential deploy \(ssh-key SHA256:\S+\)\n$/);
        const passwordAdded = await minke(['credentials', 'add', 'sudo-pw', '--type', 'password'], {
          MINKE_SECRET: account.password,
        });
        expect(passwordAdded.code).toBe(0);
        const hostConfig = JSON.stringify({
          key: { credential: 'deploy' },
          identityFiles: [],
          agent: false,
          knownHostsFiles: [sshd.knownHostsFile],
          sshConfigFile: false,
          sudo: { password: { credential: 'sudo-pw' } },
        });
        const hostAdded = await minke([
          'hosts',
          'add',
          'db-1',
          '--hostname',
          sshd.host,
          '--port',
          String(sshd.port),
          '--user',
          account.user,
          '--config',
          hostConfig,
        ]);
        expect(hostAdded.code).toBe(0);

        const worker = spawnBuiltCli(['--project', dir, 'worker'], {
          env: { ...queued, MINKE_LOG_LEVEL: 'debug', MINKE_LOG_FORMAT: 'json' },
        });
        const workerOutput = output(worker);
        const seen: string[] = [];
        let watching = true;
        const watcher = (async () => {
          for (let i = 0; watching && i < 5000; i++) {
            seen.push(await commandLines());
            await new Promise((resolve) => setTimeout(resolve, 25));
          }
        })();
        try {
          await until(() => workerOutput().includes('press Ctrl-C'), workerOutput);
          const run = await minke(['run', 'WhoIsRoot', '--model', 'Host', '--id', 'db-1'], queued);
          expect(run.stdout).toMatch(/^SUCCESS db-1 \[db-1\] completed/);
          expect(run.stdout).toContain('became root');
          expect(run.code).toBe(0);
          const keyLine =
            (await readFile(sshd.encryptedClientKeyPath, 'utf8')).split('\n')[1] ?? '';
          const secrets = [account.password, sshd.passphrase, keyLine];
          const places = {
            'worker output': workerOutput(),
            'run output': run.stdout + run.stderr,
            'process command lines': seen.join('\n'),
            'database file':
              (await readFile(join(dir, 'minke.db'))).toString('latin1') +
              (await readFile(join(dir, 'minke.db-wal')).catch(() => Buffer.alloc(0))).toString(
                'latin1',
              ),
          };
          expect(places['process command lines']).toContain('worker');
          expect(workerOutput()).toContain('"level":20'); // debug lines were written
          for (const secret of secrets)
            for (const [place, text] of Object.entries(places))
              expect(text.includes(secret), `a secret in the ${place}`).toBe(false);
        } finally {
          watching = false;
          await watcher;
          worker.kill('SIGTERM');
          await new Promise((resolve) => {
            const timer = setTimeout(() => {
              worker.kill('SIGKILL');
              resolve(undefined);
            }, 30_000);
            worker.once('exit', () => {
              clearTimeout(timer);
              resolve(undefined);
            });
          });
        }
      },
    );
  },
);
