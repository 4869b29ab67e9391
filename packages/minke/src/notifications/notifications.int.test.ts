import type { ChildProcess } from 'node:child_process';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeliveryItem, DeliveryPage } from '@minke/contract';
import { builtMinke, exited, printed, writeProject } from '../../test-support/project-folder.js';
import { freePort } from '../../test-support/redis.js';
import { spawnBuiltCli } from '../../test-support/run-cli.js';

/**
 * Notifications through the built `minke start` on a project folder: a webhook receiver that
 * checks the HMAC-SHA256 signature and answers 500 to the first request (the delivery is
 * retried), and a real SMTP server (smtp-server on loopback, with a login whose password is in
 * the credentials store). The channels, rules and secrets are as a user writes them.
 */
const HOOK_SECRET = 'hook-secret-0123456789';
const SMTP_PASSWORD = 'smtp-password-9876543210';
const SESSIONS = `import { Session } from 'minke';
export class Roll extends Session {
  static override workOn = ['Host'];
  override async process() {
    const name = String(this.obj.name);
    await this.xrun(name.startsWith('fail-') ? 'echo broken on purpose; exit 3' : 'echo fine');
  }
}
`;

interface Hook {
  headers: IncomingHttpHeaders;
  body: string;
  answered: number;
}

/** Quoted-printable as mail bodies carry it, decoded enough to read labels and links. */
function decodeQuotedPrintable(raw: string): string {
  return raw
    .replace(/=\r?\n/g, '')
    .replace(/\r?\n[ \t]+/g, ' ') // folded header lines
    .replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

async function until<T>(
  what: () => T | undefined,
  describe: () => string,
  ms = 60_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (let i = 0; Date.now() < deadline && i < 10_000; i++) {
    const value = what();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`timed out: ${describe()}`);
}

describe(
  'notifications (built minke start, webhook receiver, SMTP server)',
  { timeout: 180_000 },
  () => {
    const tmp = mkdtempSync(join(tmpdir(), 'minke-notify-'));
    const dir = join(tmp, 'p');
    const hooks: Hook[] = [];
    const mails: string[] = [];
    const logins: string[] = [];
    let receiver: Server;
    let smtp: SMTPServer;
    let server: ChildProcess;
    let base = '';
    let token = '';
    const env = { HOOK_SECRET };
    const minke = (...args: string[]) => builtMinke(dir, args, env);
    const remote = (...args: string[]) =>
      builtMinke(dir, ['--server', base, ...args], {
        MINKE_TOKEN: token,
        MINKE_PROJECT: undefined,
      });
    const startRun = async (body: unknown) => {
      const response = await fetch(`${base}/api/runs`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      expect(response.status).toBe(201);
      return ((await response.json()) as { id: number }).id;
    };

    beforeAll(async () => {
      receiver = createServer((request, response) => {
        let body = '';
        request.on('data', (chunk: Buffer) => (body += chunk.toString()));
        request.on('end', () => {
          // The first request fails: Minke must try again. A run failing on fail-2 is never
          // taken: its delivery stays not delivered, with the receiver's answer as its error.
          const answered = hooks.length === 0 || body.includes('"fail-2"') ? 500 : 200;
          hooks.push({ headers: request.headers, body, answered });
          response.writeHead(answered).end();
        });
      });
      await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
      smtp = new SMTPServer({
        disabledCommands: ['STARTTLS'],
        allowInsecureAuth: true, // loopback only, in a test
        authMethods: ['PLAIN', 'LOGIN'],
        logger: false,
        onAuth(auth, _session, callback) {
          logins.push(auth.username ?? '');
          if (auth.username === 'minke' && auth.password === SMTP_PASSWORD)
            callback(null, { user: 'minke' });
          else callback(new Error('wrong login'));
        },
        onData(stream, _session, callback) {
          let raw = '';
          stream.on('data', (chunk: Buffer) => (raw += chunk.toString()));
          stream.on('end', () => {
            mails.push(decodeQuotedPrintable(raw));
            callback();
          });
        },
      });
      await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
      const hookPort = (receiver.address() as AddressInfo).port;
      const smtpPort = (smtp.server.address() as AddressInfo).port;
      writeProject(dir, {
        config: `database: 'sqlite:data.db', sessions: [Roll],
  notifications: {
    baseUrl: 'https://minke.example.org',
    channels: [
      { name: 'ops-hook', kind: 'webhook', url: 'http://127.0.0.1:${hookPort}/minke', secret: { env: 'HOOK_SECRET' } },
      { name: 'ops-mail', kind: 'email', host: '127.0.0.1', port: ${smtpPort}, user: 'minke',
        password: { credential: 'smtp-login' }, from: 'minke@example.org', to: ['ops@example.org'] },
    ],
    rules: [
      { on: ['run.failed', 'run.recovered'], channel: 'ops-hook' },
      { on: ['run.finished'], channel: 'ops-mail' },
    ],
  }`,
        sessions: SESSIONS,
        sessionNames: ['Roll'],
      });
      expect((await minke('migrate')).code).toBe(0);
      for (const host of ['ok-1', 'fail-1'])
        expect((await minke('hosts', 'add', host, '--config', 'transport: local')).code).toBe(0);
      const admin = await builtMinke(dir, ['users', 'create', 'admin', '--superuser'], {
        MINKE_PASSWORD: 'a long admin password',
      });
      expect(admin.code).toBe(0);
      token = (await minke('tokens', 'create', '--user', 'admin')).stdout.trim();
      const credential = await builtMinke(
        dir,
        ['credentials', 'add', 'smtp-login', '--type', 'password'],
        { MINKE_SECRET: SMTP_PASSWORD },
      );
      expect(credential.code).toBe(0);
      const port = await freePort();
      base = `http://127.0.0.1:${port}`;
      server = spawnBuiltCli(['--project', dir, 'start', '--port', String(port)], {
        env: { ...env, MINKE_MQTT_PORT: '0' },
      });
      await printed(server, 'Minke is serving', 60_000);
    }, 180_000);

    afterAll(async () => {
      server?.kill('SIGTERM');
      if (server) await exited(server, 30_000);
      await new Promise((resolve) => receiver?.close(resolve));
      await new Promise<void>((resolve) => smtp?.close(() => resolve()));
      rmSync(tmp, { recursive: true, force: true });
    }, 60_000);

    it('tells the webhook (signed, retried after a 500) and e-mails a summary when a run fails', async () => {
      const runId = await startRun({ session: 'Roll', all: true });
      await until(
        () => (hooks.length >= 2 ? true : undefined),
        () => `webhook requests: ${hooks.length}`,
      );
      const [first, second] = hooks;
      expect(first?.answered).toBe(500);
      expect(second?.answered).toBe(200);
      for (const hook of [first, second]) {
        const expected = `sha256=${createHmac('sha256', HOOK_SECRET)
          .update(hook?.body ?? '')
          .digest('hex')}`;
        const given = String(hook?.headers['x-minke-signature']);
        expect(given.length).toBe(expected.length);
        expect(timingSafeEqual(Buffer.from(given), Buffer.from(expected))).toBe(true);
        expect(hook?.headers['x-minke-event']).toBe('run.failed');
      }
      // The same delivery twice: same id, same body.
      expect(second?.headers['x-minke-delivery']).toBe(first?.headers['x-minke-delivery']);
      expect(second?.body).toBe(first?.body);
      const body = JSON.parse(second?.body ?? '{}') as {
        event: string;
        run: { id: number; url: string; failed: { objectLabel: string; message: string }[] };
      };
      expect(body.event).toBe('run.failed');
      expect(body.run.id).toBe(runId);
      expect(body.run.url).toBe(`https://minke.example.org/runs/${runId}`);
      expect(body.run.failed.map((f) => f.objectLabel)).toEqual(['fail-1']);
      expect(body.run.failed[0]?.message).toContain('broken on purpose');
      expect(second?.body).not.toContain(HOOK_SECRET);

      const mail = await until(
        () => mails.find((m) => m.includes(`run ${runId}`)),
        () => `mails: ${mails.length}`,
      );
      expect(logins).toContain('minke');
      expect(mail).toMatch(
        /^Subject: Minke: Roll on Host finished \(run \d+: 1 success, 1 failed of 2\)/m,
      );
      expect(mail).toContain('<td>fail-1</td>');
      expect(mail).toContain(`href="https://minke.example.org/runs/${runId}"`);
      expect(mail).not.toContain(SMTP_PASSWORD);

      // The log through the built CLI against the server: both delivered, the webhook on its 2nd try.
      const log = await remote('notifications', 'deliveries', '--run', String(runId), '--json');
      expect(log.stderr).toBe('');
      const page = JSON.parse(log.stdout) as DeliveryPage;
      const byChannel = new Map(page.items.map((d) => [d.channel, d]));
      expect(byChannel.get('ops-hook')).toMatchObject({
        event: 'run.failed',
        state: 'delivered',
        attempts: 2,
        lastError: 'HTTP 500 Internal Server Error',
      });
      expect(byChannel.get('ops-mail')).toMatchObject({
        event: 'run.finished',
        state: 'delivered',
        attempts: 1,
      });
    });

    it('says recovered on the first success after a failure', async () => {
      const before = hooks.length;
      const runId = await startRun({ session: 'Roll', ids: ['ok-1'] });
      const hook = await until(
        () => hooks.slice(before).find((h) => h.answered === 200),
        () => `webhook requests after the first run: ${hooks.length - before}`,
      );
      expect(hook.headers['x-minke-event']).toBe('run.recovered');
      expect((JSON.parse(hook.body) as { run: { id: number } }).run.id).toBe(runId);
    });

    it('says what became of the notifications of a run followed with --server, errors to superusers', async () => {
      const followed = await remote('run', 'Roll', '--id', 'ok-1', '--json');
      expect(followed.stderr).toBe('');
      expect(followed.code).toBe(0);
      const run = JSON.parse(followed.stdout) as { runId: number; notifications: DeliveryItem[] };
      expect(run.notifications.map((d) => [d.channel, d.event, d.state, d.runId])).toEqual([
        ['ops-mail', 'run.finished', 'delivered', run.runId],
      ]);
      const told = await remote('run', 'Roll', '--id', 'ok-1');
      expect(told.stdout).toMatch(/^notified ops-mail \(run\.finished\)$/m);

      // A user who may run Roll, not a superuser: the same lines, the receiver's answer left out.
      expect((await minke('hosts', 'add', 'fail-2', '--config', 'transport: local')).code).toBe(0);
      const runner = await builtMinke(dir, ['users', 'create', 'runner'], {
        MINKE_PASSWORD: 'a long runner password',
      });
      expect(runner.code).toBe(0);
      expect((await minke('users', 'grant', 'runner', 'run_roll', 'view_host')).code).toBe(0);
      const runnerToken = (await minke('tokens', 'create', '--user', 'runner')).stdout.trim();
      const asRunner = (...args: string[]) =>
        builtMinke(dir, ['--server', base, ...args], {
          MINKE_TOKEN: runnerToken,
          MINKE_PROJECT: undefined,
        });
      const failed = await asRunner('run', 'Roll', '--id', 'fail-2', '--json');
      expect(failed.code).toBe(1);
      const failedRun = JSON.parse(failed.stdout) as {
        runId: number;
        notifications: DeliveryItem[];
      };
      const hookOf = (items: DeliveryItem[]) => items.find((d) => d.channel === 'ops-hook');
      expect(hookOf(failedRun.notifications)).toMatchObject({
        event: 'run.failed',
        state: 'retrying',
        attempts: 1,
        lastError: null,
      });
      const lines = await asRunner('run', 'Roll', '--id', 'fail-2');
      expect(lines.code).toBe(1);
      expect(lines.stdout).toMatch(/^notified ops-mail \(run\.finished\)$/m);
      expect(lines.stdout).toMatch(
        /^notification to ops-hook \(run\.failed\) not delivered: a superuser sees why in `minke notifications deliveries`; a server \(minke start or serve\) tries it again from the delivery log$/m,
      );
      // A superuser reads the receiver's answer.
      const asAdmin = await fetch(`${base}/api/runs/${failedRun.runId}/notifications`, {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(hookOf(((await asAdmin.json()) as { items: DeliveryItem[] }).items)).toMatchObject({
        lastError: 'HTTP 500 Internal Server Error',
      });
      // Another user's run is not theirs to read.
      const others = await fetch(`${base}/api/runs/${run.runId}/notifications`, {
        headers: { authorization: `Bearer ${runnerToken}` },
      });
      expect(others.status).toBe(404);
    });

    it('lists channels without secrets and sends a test from the CLI', async () => {
      const list = await remote('notifications', 'list');
      expect(list.code).toBe(0);
      expect(list.stdout).toMatch(
        /ops-hook\s+webhook\s+http:\/\/127\.0\.0\.1:\d+\/minke\s+run\.failed, run\.recovered/,
      );
      expect(list.stdout).toMatch(
        /ops-mail\s+email\s+smtp:\/\/127\.0\.0\.1:\d+ → ops@example\.org\s+run\.finished/,
      );
      const count = mails.length;
      const test = await remote('notifications', 'test', 'ops-mail');
      expect(test.stdout).toMatch(/^delivered test \d+ to ops-mail\n$/);
      expect(test.code).toBe(0);
      await until(
        () => (mails.length > count ? true : undefined),
        () => 'no test mail',
      );
      expect(mails.at(-1)).toContain('Subject: Minke: test of channel ops-mail');
      const unknown = await remote('notifications', 'test', 'nowhere');
      expect(unknown.code).not.toBe(0);
      expect(unknown.stderr).toContain('no notification channel named nowhere');
    });

    it('tells of a run made by minke run without a server, from the CLI itself', async () => {
      // A cron'd `minke run` on a machine with no server running: nobody else hears the run.
      server.kill('SIGTERM');
      await exited(server, 30_000);
      const before = hooks.length;
      const run = await minke('run', 'Roll', '--id', 'fail-1');
      expect(run.stderr).toBe('');
      expect(run.code).toBe(1);
      expect(run.stdout).toContain('notified ops-hook (run.failed)');
      expect(run.stdout).toContain('notified ops-mail (run.finished)');
      const hook = hooks.slice(before).find((h) => h.answered === 200);
      expect(hook?.headers['x-minke-event']).toBe('run.failed');
      expect((JSON.parse(hook?.body ?? '{}') as { run: { failed: unknown[] } }).run.failed).toEqual(
        [expect.objectContaining({ objectLabel: 'fail-1' })],
      );
      expect(mails.some((m) => m.includes('Roll on Host finished') && m.includes('fail-1'))).toBe(
        true,
      );
      // The delivery log says so too (a server would retry from it had the receiver been away).
      const log = await minke('notifications', 'deliveries', '--json');
      const [newest, next] = (JSON.parse(log.stdout) as DeliveryPage).items;
      expect(newest?.runId).toBe(next?.runId);
      expect([newest, next].map((d) => `${d?.channel} ${d?.state}`).sort()).toEqual([
        'ops-hook delivered',
        'ops-mail delivered',
      ]);

      // minke jobs run too: the job's run is announced by the CLI that launched it.
      const nowhere = await minke(
        ...['jobs', 'create', 'broken', '--session', 'Roll', '--id', 'fail-1'],
        ...['--notify', 'run.failed=nowhere'],
      );
      expect(nowhere.code).not.toBe(0);
      expect(nowhere.stderr).toContain(
        "notify[0]: no notification channel named nowhere in the project's config",
      );
      const saved = await minke(
        ...['jobs', 'create', 'broken', '--session', 'Roll', '--id', 'fail-1'],
        ...['--batch', '1', '--max-fail', '0', '--notify', 'run.failed,run.recovered=ops-hook'],
      );
      expect(saved.stderr).toBe('');
      const shown = await minke('jobs', 'show', 'broken');
      expect(shown.stdout).toContain('batch: {"size":1,"maxFail":0}');
      expect(shown.stdout).toContain('notify: run.failed,run.recovered → ops-hook');
      const launched = await minke('jobs', 'run', 'broken');
      expect(launched.code).toBe(1);
      expect(launched.stdout).toContain('notified ops-hook (run.failed)');
    });
  },
);
