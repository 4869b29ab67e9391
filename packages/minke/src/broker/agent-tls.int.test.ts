import { spawn, type ChildProcess } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import mqtt from 'mqtt';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { nodeCommand, waitUntil } from '../../test-support/agent-fleet.js';
import { mosquittoInstalled } from '../../test-support/broker-mosquitto.js';
import { startTlsMosquitto, type TlsMosquitto } from '../../test-support/broker-mosquitto-tls.js';
import { exited, printed } from '../../test-support/project-folder.js';
import { freePort } from '../../test-support/redis.js';
import { runBuiltCli, spawnBuiltCli } from '../../test-support/run-cli.js';

/** `minke-agent` exactly as installed: its bin over the built dist/. */
const agentBin = fileURLToPath(new URL('../../../agent/bin/minke-agent.js', import.meta.url));
const modeOf = async (path: string) => (await stat(path)).mode & 0o777;
const WRONG_PIN = Array.from({ length: 32 }, () => 'AB').join(':');

interface Running {
  child: ChildProcess;
  output: () => string;
}

/** A process whose stdout and stderr are collected. */
function collect(child: ChildProcess): Running {
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return { child, output: () => output };
}

function startAgent(dir: string, config: string, spool: string): Running {
  return collect(
    spawn(
      process.execPath,
      [agentBin, 'run', '--config', config, '--plugins', join(dir, 'plugins')],
      {
        env: { ...process.env, MINKE_AGENT_SPOOL_DIR: join(dir, spool) },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    ),
  );
}

async function stopAll(children: Array<ChildProcess | undefined>): Promise<void> {
  for (const child of children) {
    if (child && child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await exited(child, 10_000);
    }
  }
}

/** A project folder with one plugin, `os`, as a user writes it. */
async function makeProject(prefix: string, config: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  await writeFile(join(dir, 'package.json'), '{ "type": "module", "private": true }\n');
  await writeFile(join(dir, 'minke.config.ts'), `export default ${config};\n`);
  await mkdir(join(dir, 'plugins'));
  const os = 'console.log(JSON.stringify({ id: "debian" }))';
  await writeFile(
    join(dir, 'plugins', 'os.cfg'),
    `[os]\nname = os\ncommand = ${nodeCommand(os)}\nresult_format = json\n`,
  );
  return dir;
}

/** Dispatches `os` to `node` through the built CLI and waits for its fact. */
async function dispatchAndSeeFact(
  minke: (args: string[]) => ReturnType<typeof runBuiltCli>,
  node: string,
): Promise<void> {
  const dispatched = await minke(['dispatch', 'os', '--node', node]);
  expect(dispatched.code, dispatched.stderr).toBe(0);
  await waitUntil(
    'the fact',
    async () => {
      const facts = await minke(['facts', 'show', node, '--json']);
      return facts.code === 0 && facts.stdout.includes('debian');
    },
    30_000,
  );
}

describe(
  'agents over TLS to the embedded broker, through the built CLI',
  { timeout: 180_000 },
  () => {
    let dir: string;
    let mqttPort = 0;
    let server: Running | undefined;
    let agent: Running | undefined;
    let impostor: Running | undefined;
    const minke = (args: string[]) =>
      runBuiltCli(['--project', dir, ...args], { timeoutMs: 60_000 });

    beforeAll(async () => {
      mqttPort = await freePort();
      dir = await makeProject(
        'minke-agent-tls-',
        `{ database: 'sqlite:data.db', server: { port: ${await freePort()} }, mqtt: { port: ${mqttPort}, tls: true } }`,
      );
    });
    afterAll(async () => {
      await stopAll([impostor?.child, agent?.child, server?.child]);
      await rm(dir, { recursive: true, force: true });
    });

    it('makes a CA and server certificate on first start, keys 0600 in a 0700 folder', async () => {
      const migrated = await minke(['migrate']);
      expect(migrated.code, migrated.stderr).toBe(0);
      const child = spawnBuiltCli(['--project', dir, 'start'], { env: {} });
      server = collect(child);
      await printed(child, 'press Ctrl-C to stop', 60_000);
      const tlsDir = join(dir, '.minke', 'mqtt-tls');
      expect(await modeOf(tlsDir)).toBe(0o700);
      for (const file of ['ca.pem', 'ca-key.pem', 'server.pem', 'server-key.pem'])
        expect(await modeOf(join(tlsDir, file)), file).toBe(0o600);
      const certificate = new X509Certificate(await readFile(join(tlsDir, 'server.pem')));
      expect(certificate.subjectAltName).toContain('IP Address:127.0.0.1');
      expect(
        certificate.checkIssued(new X509Certificate(await readFile(join(tlsDir, 'ca.pem')))),
      ).toBe(true);
    });

    it('listens with TLS only: a plain MQTT client gets no connection', async () => {
      const client = mqtt.connect(`mqtt://127.0.0.1:${mqttPort}`, {
        reconnectPeriod: 0,
        connectTimeout: 3000,
        username: 'web1',
        password: 'whatever',
      });
      const outcome = await new Promise<string>((resolve) => {
        client.once('connect', () => resolve('connected'));
        client.once('error', () => resolve('refused'));
        client.once('close', () => resolve('closed'));
      });
      client.end(true);
      expect(outcome).not.toBe('connected');
    });

    it('enrols an agent with the mqtts URL and the pinned fingerprint; the agent answers a dispatch', async () => {
      const config = join(dir, 'web1.yaml');
      const enrolled = await minke(['agents', 'enroll', 'web1', '--out', config]);
      expect(enrolled.code, enrolled.stderr).toBe(0);
      const serverPem = await readFile(join(dir, '.minke', 'mqtt-tls', 'server.pem'));
      const fingerprint = new X509Certificate(serverPem).fingerprint256;
      expect(enrolled.stdout).toContain(`broker: mqtts://127.0.0.1:${mqttPort}`);
      expect(enrolled.stdout).toContain(`broker certificate (pinned): SHA-256 ${fingerprint}`);
      const settings = parseYaml(await readFile(config, 'utf8')) as Record<string, string>;
      expect(settings['brokerUrl']).toBe(`mqtts://127.0.0.1:${mqttPort}`);
      expect(settings['brokerFingerprint']).toBe(fingerprint);
      expect(settings['brokerCa']).toContain('BEGIN CERTIFICATE');

      agent = startAgent(dir, config, 'spool-web1');
      await waitUntil(
        'the agent to connect',
        () => agent!.output().includes('connected to the broker'),
        30_000,
      );
      await dispatchAndSeeFact(minke, 'web1');
    });

    it('an agent pinned to another fingerprint refuses the broker, naming both fingerprints', async () => {
      const config = join(dir, 'web2.yaml');
      const enrolled = await minke(['agents', 'enroll', 'web2', '--out', config]);
      expect(enrolled.code, enrolled.stderr).toBe(0);
      const text = await readFile(config, 'utf8');
      const real = (parseYaml(text) as Record<string, string>)['brokerFingerprint'] as string;
      await writeFile(config, text.replace(real, WRONG_PIN), { mode: 0o600 });

      impostor = startAgent(dir, config, 'spool-web2');
      await waitUntil(
        'the agent to refuse the broker',
        () => impostor!.output().includes('not the pinned'),
        30_000,
      );
      expect(impostor.output()).toContain(
        `the MQTT broker at 127.0.0.1 presented a certificate with SHA-256 fingerprint ${real}, not the pinned ${WRONG_PIN} (${config}: brokerFingerprint): refusing to connect`,
      );
      expect(impostor.output()).not.toContain('connected to the broker');
      // The refusal comes before the credentials: the broker never saw web2 log in.
      const listed = await minke(['agents', 'list', '--json']);
      const web2 = (JSON.parse(listed.stdout) as { node: string; online: boolean }[]).find(
        (entry) => entry.node === 'web2',
      );
      expect(web2?.online).toBe(false);
    });

    it('refuses a plain mqtt:// --broker-url for a TLS broker', async () => {
      const enrolled = await minke([
        'agents',
        'enroll',
        'web3',
        '--out',
        join(dir, 'web3.yaml'),
        '--broker-url',
        `mqtt://127.0.0.1:${mqttPort}`,
      ]);
      expect(enrolled.code).not.toBe(0);
      expect(enrolled.stderr).toContain(
        'the embedded broker listens with TLS (mqtt.tls): use mqtts://',
      );
    });
  },
);

const haveMosquitto = await mosquittoInstalled();

describe.skipIf(!haveMosquitto)(
  'agent and gateway over TLS to Mosquitto',
  { timeout: 180_000 },
  () => {
    let dir: string;
    let broker: TlsMosquitto;
    let fingerprint: string;
    let server: Running | undefined;
    let agent: Running | undefined;
    const prefix = `minke-tls-${Math.random().toString(36).slice(2, 8)}`;
    const env = { MINKE_MQTT_PASSWORD: 'gateway-secret-for-the-test' };
    const minke = (args: string[]) =>
      runBuiltCli(['--project', dir, ...args], { timeoutMs: 60_000, env });
    const start = async (extra: Record<string, string> = {}) => {
      const child = spawnBuiltCli(['--project', dir, 'start'], { env: { ...env, ...extra } });
      server = collect(child);
      await printed(child, 'press Ctrl-C to stop', 60_000);
      return server;
    };

    beforeAll(async () => {
      broker = await startTlsMosquitto(prefix);
      fingerprint = new X509Certificate(broker.serverCert).fingerprint256;
      dir = await makeProject(
        'minke-agent-tls-mosquitto-',
        `{ database: 'sqlite:data.db', server: { port: ${await freePort()} }, mqtt: { url: '${broker.url.replace('//', '//minke-server@')}', topicPrefix: '${prefix}', tls: { caFile: ${JSON.stringify(broker.caFile)}, fingerprint: '${fingerprint}' } } }`,
      );
      const migrated = await minke(['migrate']);
      expect(migrated.code, migrated.stderr).toBe(0);
      await broker.addUser('minke-server', env.MINKE_MQTT_PASSWORD);
    });
    afterEach(async () => {
      await stopAll([server?.child]);
      server = undefined;
    });
    afterAll(async () => {
      await stopAll([agent?.child, server?.child]);
      await broker?.close();
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    it('stores the result of an agent that pinned the broker, the gateway verifying it too', async () => {
      const config = join(dir, 'web1.yaml');
      const enrolled = await minke(['agents', 'enroll', 'web1', '--out', config]);
      expect(enrolled.code, enrolled.stderr).toBe(0);
      expect(enrolled.stdout).toContain(`broker certificate (pinned): SHA-256 ${fingerprint}`);
      const settings = parseYaml(await readFile(config, 'utf8')) as Record<string, string>;
      expect(settings['brokerUrl']).toBe(broker.url);
      expect(settings['brokerFingerprint']).toBe(fingerprint);
      expect(settings['brokerCa']).toBe((await readFile(broker.caFile, 'utf8')).trim());
      await broker.addUser('web1', settings['password'] as string);

      const running = await start();
      await waitUntil(
        'the gateway to connect',
        () => running.output().includes('gateway: connected and subscribed'),
        30_000,
      );
      agent = startAgent(dir, config, 'spool-web1');
      await waitUntil(
        'the agent to connect',
        () => agent!.output().includes('connected to the broker'),
        30_000,
      );
      await dispatchAndSeeFact(minke, 'web1');
    });

    it('the gateway refuses a broker whose certificate is not the pinned one', async () => {
      const running = await start({ MINKE_MQTT_TLS_FINGERPRINT: WRONG_PIN });
      await waitUntil(
        'the gateway to refuse',
        () => running.output().includes('not the pinned'),
        30_000,
      );
      expect(running.output()).toContain(
        `presented a certificate with SHA-256 fingerprint ${fingerprint}, not the pinned ${WRONG_PIN} (mqtt.tls.fingerprint / MINKE_MQTT_TLS_FINGERPRINT)`,
      );
      expect(running.output()).not.toContain('gateway: connected and subscribed');
    });
  },
);
