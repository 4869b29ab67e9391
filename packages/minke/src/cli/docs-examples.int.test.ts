import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitUntil } from '../../test-support/agent-fleet.js';
import { exited, printed } from '../../test-support/project-folder.js';
import { freePort } from '../../test-support/redis.js';
import { runBuiltCli, spawnBuiltCli, type CliResult } from '../../test-support/run-cli.js';

/**
 * The README's and docs' command-line examples, run as written (through the built `minke`) on a
 * copy of the demo with its server started the way `npm start` starts it. Every example line is
 * either run here with the exit code a reader should see, or skipped with the reason; a new
 * example that is neither fails the first test.
 */
const root = fileURLToPath(new URL('../../../../', import.meta.url));
const agentBin = join(root, 'packages/agent/bin/minke-agent.js');
const tmp = mkdtempSync(join(tmpdir(), 'minke-docs-examples-'));
const demo = join(tmp, 'demo');
/** `/tmp/p` in the README: a folder of this test's instead. */
const scratch = join(tmp, 'p');
const debian = /^ID=debian$/m.test(readFileSync('/etc/os-release', 'utf8'));

type Handling =
  | {
      code: number;
      output?: RegExp;
      remote?: boolean;
      /** What the reader has made before the line (a file it names). */
      before?: () => void;
      then?: (result: CliResult) => Promise<void>;
    }
  | { agent: true }
  | { token: true }
  | { skip: string };

const scaleOut =
  'a scale-out deployment on PostgreSQL and Redis of the reader; the worker and serve suites run these';

const copyElsewhere =
  "a PostgreSQL server of the reader's; database-copy.int copies the demo to and from one here";

/** What each example does here, keyed by the file and the line as the reader sees it. */
const EXAMPLES: Record<string, Handling> = {
  'README.md: minke init /tmp/p': { code: 0 },
  'README.md: minke --project /tmp/p migrate': { code: 0 },
  'README.md: minke --project /tmp/p hosts add web-1 --hostname 127.0.0.1 --port 2222 --user root':
    { code: 0 },
  'README.md: minke --project /tmp/p hosts list': {
    code: 0,
    output: /^web-1\s+127\.0\.0\.1\s+2222\s+root/m,
  },
  'README.md: minke run HealthCheck --model Host --all      # localhost succeeds; the example hosts refuse the connection':
    { code: 1, output: /^SUCCESS\s+localhost/m },
  "README.md: minke run ServerInfo --where 'host.name = localhost'": { code: 0 },
  'README.md: minke records list Server': { code: 0, output: /^\d+\s+localhost\s/m },
  'README.md: minke records show App shop                   # a record by its name (or id), refs by what they point at':
    { code: 0, output: /^server:\s+.*\(Server #\d+\)\nname:\s+shop\n/m },
  'README.md: minke records set App shop version=10.3.1     # audited; records add and records delete as well':
    { code: 0, output: /^changed shop \(App #\d+\): version 10\.2\.4 → 10\.3\.1\n$/ },
  'README.md: minke records changes App shop                # who changed it, when, each field before → after':
    {
      code: 0,
      output:
        /^WHEN\s+WHO\s+VIA\s+ACTION\s+CHANGES\n.*operator \(CLI\)\s+cli\s+record\.update\s+version 10\.2\.4 → 10\.3\.1\n.*record\.create\s+server .*\(Server #\d+\), name - → shop, /,
    },
  "README.md: minke records export App --where 'kind = drupal' --out apps.csv   # every match as CSV, refs by name":
    {
      code: 0,
      output: /^exported 2 App record\(s\) to apps\.csv\n$/,
      then: () => {
        const csv = readFileSync(join(demo, 'apps.csv'), 'utf8').split('\n');
        expect(csv[0]).toBe('id,server,name,kind,version,root,created_at,updated_at');
        expect(csv.slice(1, -1).map((line) => line.split(',')[2])).toEqual(['intranet', 'shop']);
        return Promise.resolve();
      },
    },
  'README.md: minke records import App apps.csv --dry-run   # read back after editing: what each row would change':
    { code: 0, output: /^apps\.csv: 0 would be added, 0 would be changed, 2 unchanged\n$/ },
  'README.md: minke history': { code: 0, output: /ServerInfo/ },
  'README.md: TOKEN=$(minke tokens create --user admin)': { token: true },
  'README.md: minke agents enroll localhost --out localhost-agent.yaml': { code: 0 },
  'README.md: minke-agent run --config localhost-agent.yaml --plugins plugins     # on the node (here: this machine)':
    { agent: true },
  'README.md: minke dispatch os-release --all --wait': { code: 0, output: /localhost\s+ok/ },
  'README.md: minke facts localhost': { code: 0, output: /os-release/ },
  "README.md: minke run HealthCheck --model Host --where 'facts.os-release.ID = debian'": debian
    ? { code: 0, output: /^SUCCESS\s+localhost/m }
    : { code: 2, output: /^$/ },
  'docs/agents.md: minke hosts add web1 --hostname web1.example.com     # optional: facts attach to the host of the same name':
    { code: 0 },
  'docs/agents.md: minke agents enroll web1 --out web1-agent.yaml       # prints the node and the file, never the password':
    // The next lines copy the file to the node and start the agent there: here, on this machine.
    {
      code: 0,
      then: () => startAgent(['run', '--config', 'web1-agent.yaml', '--plugins', 'plugins']),
    },
  'docs/agents.md: minke dispatch os-release --node web1 --wait      # one line per node, then a summary':
    { code: 0, output: /web1\s+ok/ },
  'docs/agents.md: minke dispatch uptime --all                        # one broadcast; prints the request id':
    { code: 0, output: /^request [0-9a-f-]{36}: uptime/ },
  "docs/agents.md: minke dispatch uptime --where 'facts.os-release.ID = debian' --wait --timeout 120":
    debian
      ? { code: 0, output: /web1\s+ok/ }
      : { skip: 'this machine is not Debian: no host has an os-release ID of debian' },
  'docs/agents.md: minke facts web1                     # every plugin, its format, when, from which request, the value':
    { code: 0, output: /uptime/ },
  'docs/agents.md: minke facts web1 --plugin os-release --json': { code: 0, output: /"ID": "/ },
  'docs/agents.md: minke facts history web1 os-release  # one row per change, newest first': {
    code: 0,
  },
  // The demo's agent has no disk or os plugin: the commands answer with nothing to show.
  'docs/agents.md: minke facts series disk root.used_percent --host web1 --since 7d   # a number per change, per host':
    { code: 0, output: /^HOST\s+AT\s+VALUE\nweb1\s+\(no numbers\)/ },
  'docs/agents.md: minke facts changes os kernel --days 7                             # who changed it: before, after, when':
    { code: 0, output: /^no host changed os kernel since / },
  'docs/agents.md: minke facts distribution os kernel --top 5                         # current values across hosts':
    { code: 0, output: /^no host reported os yet/ },
  "docs/api.md: minke run HealthCheck --model Host --where 'name ^= web-'":
    // Through the server as the token's user; the demo's web hosts refuse the connection.
    { code: 1, remote: true, output: /^ERROR\s+web-1\.example\.com/m },
  'docs/api.md: minke runs stop 42': {
    skip: '42 stands for a run of the reader; stop is tested in remote-cli.int.test.ts',
  },
  'docs/api.md: minke runs rerun 42 --failed-only --timeout 1h': {
    skip: '42 stands for a run of the reader; runs-rerun.int.test.ts re-runs through a server',
  },
  'docs/api.md: minke history --session HealthCheck --status error': {
    code: 0,
    remote: true,
    output: /HealthCheck/,
  },
  'docs/api.md: minke sessions list --model Server': {
    code: 0,
    remote: true,
    output: /ServerInfo/,
  },
  'docs/api.md: minke credentials add db-root --type password --from-file db-root.password': {
    code: 0,
    remote: true,
    before: () => writeFileSync(join(demo, 'db-root.password'), 'a password for the docs test\n'),
    output: /^added credential db-root \(password\)$/m,
  },
  'docs/api.md: minke credentials list': {
    code: 0,
    remote: true,
    // Made by the token's user (the demo's admin), not by the operator of this machine.
    output: /^db-root\s+password\s+\S+\s+admin$/m,
  },
  'docs/api.md: minke audit --action credential': {
    code: 0,
    remote: true,
    output:
      /^\d+\s+\S+\s+admin\s+token token 127\.0\.0\.1\s+credential\.create\s+credential db-root$/m,
  },
  'docs/api.md: minke facts web1 --plugin os-release --json': {
    code: 0,
    remote: true,
    output: /"ID": "/,
  },
  'docs/api.md: minke dispatch os-release --all --wait': {
    // Signed and delivered by the server, as the token's user; the demo's agent answers.
    code: 0,
    remote: true,
    output: /^localhost\s+ok$/m,
  },
  // The policies of docs/policies.md are made later in reading order: none yet.
  'docs/api.md: minke policies list': { code: 0, remote: true, output: /^no policies yet$/m },
  'docs/api.md: minke inventory list': {
    code: 0,
    remote: true,
    output: /^lab\s+file inventory\.csv\s+-\s+0\s+never/m,
  },
  "docs/jobs.md: minke jobs create nightly-info --session ServerInfo --where 'host.name = localhost' --cron '0 2 * * *' --tz Europe/Berlin":
    { code: 0, output: /^saved job nightly-info \(ServerInfo on Server\)$/m },
  'docs/jobs.md: minke jobs list': { code: 0, output: /^nightly-info\s+ServerInfo\s+Server\s/m },
  'docs/jobs.md: minke jobs show nightly-info': {
    code: 0,
    output: /^schedule: 0 2 \* \* \* \(Europe\/Berlin\), enabled/m,
  },
  'docs/jobs.md: minke jobs run nightly-info': {
    code: 0,
    output: /^run \d+: 1 success, 0 warning, 0 error$/m,
  },
  'docs/jobs.md: minke schedules --hours 48': { code: 0, output: /\snightly-info\s+ServerInfo$/m },
  'docs/jobs.md: minke jobs disable nightly-info': {
    code: 0,
    output: /^disabled the schedule of job nightly-info$/m,
  },
  "docs/notifications.md: minke notifications list                         # the channels and the global rules' events":
    // The demo has no channels.
    { code: 0, output: /^no notification channels \(see docs\/notifications\.md\)$/m },
  'docs/notifications.md: minke notifications test ops-mail                # sends now, says delivered or the error (exit 1)':
    {
      skip: "ops-mail is a channel of the reader's config; notifications.int.test.ts sends tests to a real SMTP server",
    },
  'docs/notifications.md: minke notifications deliveries --state failed    # the log: state, attempts, last error':
    { code: 0, output: /^no deliveries$/m },
  'docs/sessions.md: minke runs rerun 42 --failed-only --timeout 1h': {
    skip: '42 stands for a run of the reader; runs-rerun.int.test.ts re-runs on a project',
  },
  'docs/sessions.md: minke run HealthCheck --model Host --id localhost web-1.example.com web-2.example.com --batch 50% --max-fail 0':
    // Batches of 2: web-1 refuses the connection in batch 1, so web-2 never starts.
    {
      code: 1,
      output:
        /^STOPPED\s+web-2\.example\.com \[web-2\.example\.com\] canceled\n\s+error\s+: failure budget exceeded after 2 of 3: 1 failed, 0 allowed$/m,
    },
  "docs/policies.md: minke policies set has-os-release --where 'facts.os-release exists' --description 'the agent reports the OS'":
    { code: 0, output: /^policy has-os-release saved; \d+ host\(s\) failing it$/m },
  'docs/policies.md: minke policies list': {
    code: 0,
    output: /^has-os-release\s+\d+\s+\d+\s+api\s+facts\.os-release exists$/m,
  },
  'docs/policies.md: minke policies check': { code: 0, output: /^1 policy, \d+ host evaluation/m },
  'docs/policies.md: minke policies show has-os-release --failing': {
    code: 0,
    output: /^ {2}where: facts\.os-release exists$/m,
  },
  'docs/inventory.md: minke inventory list                  # the sources, how many hosts each owns, the last sync':
    { code: 0, output: /^lab\s+file inventory\.csv\s+-\s+0\s+never/m },
  'docs/inventory.md: minke inventory sync cmdb --dry-run   # what a sync would do; nothing changes':
    { skip: "cmdb is a source of the reader's config; inventory.int.test.ts syncs real sources" },
  'docs/inventory.md: minke inventory sync lab --dry-run    # would add lab-1.example.com and lab-2.example.com':
    { code: 0, output: /^ {2}\+ lab-2\.example\.com {2}deploy@192\.0\.2\.12 groups databases$/m },
  'docs/inventory.md: minke inventory sync cmdb             # do it (audited)': {
    skip: "cmdb is a source of the reader's config; inventory.int.test.ts syncs real sources",
  },
  'docs/deployment.md: minke migrate                       # once': { skip: scaleOut },
  'docs/deployment.md: minke db copy --to postgres://minke@db.example.org/minke': {
    skip: copyElsewhere,
  },
  'docs/deployment.md: minke serve --listen 0.0.0.0        # on each web machine, behind the load balancer':
    {
      skip: scaleOut,
    },
  'docs/deployment.md: minke worker --concurrency 200      # on each worker machine': {
    skip: scaleOut,
  },
  'docs/deployment.md: minke worker --concurrency 200 --metrics-port 9464   # http://127.0.0.1:9464/metrics':
    {
      skip: scaleOut,
    },
};

/** Every command line in the sh blocks of the README and docs/, in reading order. */
function examplesInDocs(): string[] {
  const files = [
    'README.md',
    ...readdirSync(join(root, 'docs'))
      .filter((f) => f.endsWith('.md'))
      .sort()
      .map((f) => `docs/${f}`),
  ];
  const found: string[] = [];
  for (const file of files) {
    let inShell = false;
    for (const line of readFileSync(join(root, file), 'utf8').split('\n')) {
      if (line.startsWith('```')) {
        inShell = !inShell && line.trim() === '```sh';
        continue;
      }
      const text = line.trim();
      if (inShell && /^(?:TOKEN=\$\()?(?:npx )?minke(?:-agent)? /.test(text))
        found.push(`${file}: ${text}`);
    }
  }
  return found;
}

/** A command line's words as a POSIX shell splits them (quotes, comments); no expansions. */
function words(line: string): string[] {
  const out: string[] = [];
  let current: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line.charAt(i);
    if (c === "'" || c === '"') {
      const end = line.indexOf(c, i + 1);
      if (end < 0) throw new Error(`unbalanced quote in ${line}`);
      current = (current ?? '') + line.slice(i + 1, end);
      i = end;
    } else if (/\s/.test(c)) {
      if (current !== undefined) out.push(current);
      current = undefined;
    } else if (c === '#' && current === undefined) {
      break;
    } else {
      current = (current ?? '') + c;
    }
  }
  if (current !== undefined) out.push(current);
  return out.map((word) => word.replace('/tmp/p', scratch));
}

let webPort = 0;
let mqttPort = 0;
let token = '';
let server: ChildProcess | undefined;
const agents: { child: ChildProcess; output: string }[] = [];

const env = () => ({ MINKE_PORT: String(webPort), MINKE_MQTT_PORT: String(mqttPort) });

/** An agent on this machine, its spool in the demo folder (a node's would be under /var/lib). */
async function startAgent(args: string[]): Promise<void> {
  const config = args[args.indexOf('--config') + 1] ?? '';
  const file = join(demo, config);
  const text = readFileSync(file, 'utf8').replace(/^spoolDir:.*\n/m, '');
  writeFileSync(file, `${text}spoolDir: spool-${agents.length}\n`);
  const child = spawn(process.execPath, [agentBin, ...args], {
    cwd: demo,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const agent = { child, output: '' };
  agents.push(agent);
  child.stdout.on('data', (chunk: Buffer) => (agent.output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (agent.output += chunk.toString()));
  await waitUntil(
    'the agent to connect',
    () => agent.output.includes('connected to the broker'),
    30_000,
  ).catch((error: unknown) => {
    throw new Error(`${String(error)}; the agent said: ${agent.output}`);
  });
}

beforeAll(async () => {
  cpSync(join(root, 'examples/demo'), demo, {
    recursive: true,
    filter: (path) => !/minke-demo\.db|\.minke|agent\.yaml/.test(path),
  });
  [webPort, mqttPort] = [await freePort(), await freePort()];
  // The demo's `npm start`, one command at a time; the last one serves.
  const script = (
    JSON.parse(readFileSync(join(demo, 'package.json'), 'utf8')) as { scripts: { start: string } }
  ).scripts.start;
  const steps = script.split(' && ').map((step) => words(step).slice(1));
  for (const step of steps.slice(0, -1)) {
    const result = await runBuiltCli(step, { cwd: demo, env: env(), timeoutMs: 60_000 });
    expect(result.code, `${step.join(' ')}: ${result.stderr}`).toBe(0);
  }
  server = spawnBuiltCli(steps.at(-1) ?? [], { cwd: demo, env: env() });
  await printed(server, 'press Ctrl-C to stop', 60_000);
}, 180_000);

afterAll(async () => {
  for (const child of [...agents.map((a) => a.child), server]) {
    if (child && child.exitCode === null) {
      child.kill('SIGTERM');
      await exited(child, 15_000);
    }
  }
  rmSync(tmp, { recursive: true, force: true });
});

describe('the README and docs examples, on the demo', { timeout: 600_000 }, () => {
  it('are each run here or skipped with a reason', () => {
    const inDocs = examplesInDocs();
    expect(inDocs.filter((line) => !(line in EXAMPLES))).toEqual([]);
    expect(Object.keys(EXAMPLES).filter((line) => !inDocs.includes(line))).toEqual([]);
  });

  it('work as written', async () => {
    for (const example of examplesInDocs()) {
      const handling = EXAMPLES[example];
      if (!handling || 'skip' in handling) continue;
      const line = example.slice(example.indexOf(': ') + 2);
      if ('agent' in handling) {
        await startAgent(words(line).slice(line.startsWith('npx ') ? 2 : 1));
        continue;
      }
      if ('token' in handling) {
        await tokenExample();
        continue;
      }
      handling.before?.();
      const args = words(line).slice(line.startsWith('npx ') ? 2 : 1);
      const remoteEnv = handling.remote
        ? { MINKE_SERVER_URL: `http://127.0.0.1:${webPort}`, MINKE_TOKEN: token }
        : {};
      const result = await runBuiltCli(args, {
        cwd: demo,
        env: { ...env(), ...remoteEnv },
        timeoutMs: 180_000,
      });
      expect({
        example,
        code: result.code,
        stderr: result.code === handling.code ? '' : result.stderr,
      }).toEqual({
        example,
        code: handling.code,
        stderr: '',
      });
      if (handling.output) expect(result.stdout, example).toMatch(handling.output);
      await handling.then?.(result);
    }
  });
});

/** The README's token and curl lines: the token, then the two requests it shows. */
async function tokenExample(): Promise<void> {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const body = '{"session":"HealthCheck","model":"Host","ids":["localhost"]}';
  expect(readme).toContain(`-d '${body}' http://127.0.0.1:8000/api/runs`);
  expect(readme).toContain('http://127.0.0.1:8000/api/runs/1');
  const created = await runBuiltCli(['tokens', 'create', '--user', 'admin'], {
    cwd: demo,
    env: env(),
  });
  expect(created.code, created.stderr).toBe(0);
  token = created.stdout.trim();
  const headers = { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' };
  // The README's port is the demo's 8000; this server listens on a free one.
  const base = `http://127.0.0.1:${webPort}`;
  const started = await fetch(`${base}/api/runs`, { method: 'POST', headers, body });
  expect(started.status).toBe(201);
  const run = await fetch(`${base}/api/runs/1`, { headers });
  expect(run.status).toBe(200);
  expect(await run.json()).toMatchObject({ id: 1, session: 'HealthCheck' });
}
