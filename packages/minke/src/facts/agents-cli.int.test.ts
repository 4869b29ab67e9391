import { spawn, type ChildProcess } from 'node:child_process';
import { chmod, mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeCommand, waitUntil } from '../../test-support/agent-fleet.js';
import { exited, printed } from '../../test-support/project-folder.js';
import { freePort } from '../../test-support/redis.js';
import { runBuiltCli, spawnBuiltCli } from '../../test-support/run-cli.js';

/** `minke-agent` exactly as installed: its bin over the built dist/. */
const agentBin = fileURLToPath(new URL('../../../agent/bin/minke-agent.js', import.meta.url));

const modeOf = async (path: string) => (await stat(path)).mode & 0o777;

/**
 * Through the doors a user goes through: a project folder loaded by the built `minke` command,
 * `minke start` serving it, and a real `minke-agent` process enrolled by `minke agents enroll`.
 */
describe('a project with an agent, through the built CLI', { timeout: 180_000 }, () => {
  let dir: string;
  let server: ChildProcess | undefined;
  let agent: ChildProcess | undefined;
  let agentOutput = '';
  let webPort = 0;
  const minke = (args: string[]) => runBuiltCli(['--project', dir, ...args], { timeoutMs: 60_000 });

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'minke-agents-cli-'));
    webPort = await freePort();
    const mqttPort = await freePort();
    await writeFile(join(dir, 'package.json'), '{ "type": "module", "private": true }\n');
    await writeFile(
      join(dir, 'minke.config.ts'),
      `export default { database: 'sqlite:data.db', server: { port: ${webPort} }, mqtt: { port: ${mqttPort} }, agents: { maxResultBytes: 1024 } };\n`,
    );
    await mkdir(join(dir, 'plugins'));
    const os = 'console.log(JSON.stringify({ id: "debian" }))';
    await writeFile(
      join(dir, 'plugins', 'os.cfg'),
      `[os]\nname = os\ncommand = ${nodeCommand(os)}\nresult_format = json\n`,
    );
    const big = 'console.log(JSON.stringify("x".repeat(2000)))';
    await writeFile(
      join(dir, 'plugins', 'big.cfg'),
      `[big]\nname = big\ncommand = ${nodeCommand(big)}\nresult_format = json\n`,
    );
  });
  afterAll(async () => {
    for (const child of [agent, server]) {
      if (child && child.exitCode === null) {
        child.kill('SIGTERM');
        await exited(child, 10_000);
      }
    }
    await rm(dir, { recursive: true, force: true });
  });

  it('creates the database, its -wal and -shm 0600 and .minke 0700', async () => {
    const migrated = await minke(['migrate']);
    expect(migrated.code, migrated.stderr).toBe(0);
    expect(await modeOf(join(dir, 'data.db'))).toBe(0o600);

    server = spawnBuiltCli(['--project', dir, 'start'], { env: {} });
    await printed(server, 'press Ctrl-C to stop', 60_000);
    // While the server runs, SQLite's companions exist: private like the file.
    for (const file of ['data.db', 'data.db-wal', 'data.db-shm'])
      expect(await modeOf(join(dir, file)), file).toBe(0o600);
    expect(await modeOf(join(dir, '.minke'))).toBe(0o700);
    expect(await modeOf(join(dir, '.minke', 'server-signing-key.pem'))).toBe(0o600);
  });

  it('prints the request id the agent logs, and the ledger and API know it by', async () => {
    const enrolled = await minke(['agents', 'enroll', 'web1', '--out', join(dir, 'web1.yaml')]);
    expect(enrolled.code, enrolled.stderr).toBe(0);
    agent = spawn(
      process.execPath,
      [agentBin, 'run', '--config', join(dir, 'web1.yaml'), '--plugins', join(dir, 'plugins')],
      {
        env: { ...process.env, MINKE_AGENT_SPOOL_DIR: join(dir, 'spool') },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    agent.stdout?.on('data', (chunk: Buffer) => (agentOutput += chunk.toString()));
    agent.stderr?.on('data', (chunk: Buffer) => (agentOutput += chunk.toString()));
    await waitUntil('the agent to connect', () => agentOutput.includes('connected to the broker'));

    const dispatched = await minke(['dispatch', 'os', '--node', 'web1']);
    expect(dispatched.code, dispatched.stderr).toBe(0);
    const id = /^request ([0-9a-f-]{36}):/m.exec(dispatched.stdout)?.[1];
    expect(id, dispatched.stdout).toBeDefined();
    await waitUntil(
      'the agent to log the request',
      () => agentOutput.includes('request accepted') && agentOutput.includes(id as string),
      30_000,
    );
    const accepted = agentOutput.split('\n').find((line) => line.includes('request accepted'));
    expect(accepted).toContain(`"requestId":"${id}"`);
    // The fact leads back to the same id.
    await waitUntil(
      'the fact',
      async () => {
        const facts = await minke(['facts', 'show', 'web1', '--json']);
        return facts.code === 0 && facts.stdout.includes(id as string);
      },
      30_000,
    );
  });

  it('refuses a result over the quota: the agent drops it, /metrics counts it, the list says why', async () => {
    const dispatched = await minke(['dispatch', 'big', '--node', 'web1']);
    expect(dispatched.code, dispatched.stderr).toBe(0);
    await waitUntil(
      'the agent to drop the refused result',
      () => agentOutput.includes('result refused by the server; dropped'),
      30_000,
    );
    const listed = await minke(['agents', 'list', '--json']);
    expect(listed.code, listed.stderr).toBe(0);
    const [web1] = JSON.parse(listed.stdout) as { node: string; lastRefusal: unknown }[];
    expect(web1?.lastRefusal).toMatchObject({
      reason: expect.stringMatching(
        /bytes, more than the server's limit of 1024 \(agents\.maxResultBytes\)/,
      ),
    });
    const metrics = await (await fetch(`http://127.0.0.1:${webPort}/metrics`)).text();
    expect(metrics).toContain('minke_agent_results_refused_total{reason="too-large"} 1');
  });

  it('tightens a database and .minke that were left readable by others, and says so', async () => {
    if (server) {
      server.kill('SIGTERM');
      await exited(server, 30_000);
    }
    await chmod(join(dir, 'data.db'), 0o644);
    await chmod(join(dir, '.minke'), 0o755);
    const migrated = await minke(['migrate']);
    expect(migrated.code, migrated.stderr).toBe(0);
    expect(migrated.stderr).toContain('data.db was readable by others (mode 0644); made 0600');
    expect(migrated.stderr).toContain('.minke was readable by others (mode 0755); made 0700');
    expect(await modeOf(join(dir, 'data.db'))).toBe(0o600);
    expect(await modeOf(join(dir, '.minke'))).toBe(0o700);
  });
});
