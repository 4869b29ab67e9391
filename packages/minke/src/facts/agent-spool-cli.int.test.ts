import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { nodeCommand, waitUntil } from '../../test-support/agent-fleet.js';
import { exited } from '../../test-support/project-folder.js';
import { freePort } from '../../test-support/redis.js';
import { runBuiltCli } from '../../test-support/run-cli.js';

/** `minke-agent` exactly as installed: its bin over the built dist/. */
const agentBin = fileURLToPath(new URL('../../../agent/bin/minke-agent.js', import.meta.url));

interface AgentProcess {
  child: ChildProcess;
  output: () => string;
  /** The exit code once the process is gone and its output read to the end (bounded). */
  closed: Promise<number | null>;
}

/**
 * Agents on one machine, each from the config `minke agents enroll` wrote, run as real
 * `minke-agent` processes: every node gets its own spool, and a second agent on a spool that is
 * in use (or that belongs to another node) refuses to start, saying who holds it.
 */
describe(
  'one spool per node, through the built minke and minke-agent',
  { timeout: 180_000 },
  () => {
    let dir: string;
    let brokerUrl: string;
    const started: ChildProcess[] = [];
    const minke = (args: string[]) =>
      runBuiltCli(['--project', dir, ...args], { timeoutMs: 60_000 });
    const configOf = (node: string) => join(dir, `${node}.yaml`);

    /** Starts `minke-agent run` on an enrolled config (the broker is not needed for the spool). */
    function startAgent(config: string, args: string[] = [], env: Record<string, string> = {}) {
      let output = '';
      const child = spawn(
        process.execPath,
        [agentBin, 'run', '--config', config, '--plugins', join(dir, 'plugins'), ...args],
        { env: { PATH: process.env['PATH'] ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      started.push(child);
      child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
      const closed = new Promise<number | null>((resolve) => {
        const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
        child.once('close', (code) => {
          clearTimeout(timer);
          resolve(code);
        });
      });
      return { child, output: () => output, closed } satisfies AgentProcess;
    }

    async function running(agent: AgentProcess): Promise<void> {
      await waitUntil(
        'the agent to start',
        () => {
          if (agent.child.exitCode !== null) throw new Error(`agent exited: ${agent.output()}`);
          return agent.output().includes('agent started');
        },
        30_000,
      );
    }

    async function refused(agent: AgentProcess): Promise<string> {
      expect(await agent.closed, agent.output()).toBe(1);
      return agent.output();
    }

    async function stopped(agent: AgentProcess): Promise<void> {
      agent.child.kill('SIGTERM');
      expect(await agent.closed, agent.output()).toBe(0);
    }

    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'minke-agent-spool-'));
      // Nothing listens there: the agents keep trying, which is all the spool needs.
      brokerUrl = `mqtt://127.0.0.1:${await freePort()}`;
      await writeFile(join(dir, 'package.json'), '{ "type": "module", "private": true }\n');
      await writeFile(
        join(dir, 'minke.config.ts'),
        "export default { database: 'sqlite:data.db', mqtt: { port: 0 } };\n",
      );
      await mkdir(join(dir, 'plugins'));
      await writeFile(
        join(dir, 'plugins', 'os.cfg'),
        `[os]\nname = os\ncommand = ${nodeCommand('console.log("{}")')}\nresult_format = json\ncommand_alias = get_os\n`,
      );
      const migrated = await minke(['migrate']);
      expect(migrated.code, migrated.stderr).toBe(0);
    });
    afterAll(async () => {
      for (const child of started) {
        if (child.exitCode === null && child.signalCode === null) {
          child.kill('SIGTERM');
          await exited(child, 10_000);
        }
      }
      await rm(dir, { recursive: true, force: true });
    });

    it('enroll writes a spool folder per node; by default under /var/lib/minke-agent', async () => {
      const spools = join(dir, 'spools');
      for (const node of ['web1', 'web2']) {
        const enrolled = await minke([
          'agents',
          'enroll',
          node,
          '--out',
          configOf(node),
          '--broker-url',
          brokerUrl,
          '--spool-base',
          spools,
        ]);
        expect(enrolled.code, enrolled.stderr).toBe(0);
        expect(enrolled.stdout).toContain(`  spool: ${join(spools, node)}\n`);
        const config = parseYaml(await readFile(configOf(node), 'utf8')) as Record<string, unknown>;
        expect(config['spoolDir']).toBe(join(spools, node));
      }
      const byDefault = await minke([
        'agents',
        'enroll',
        'db1',
        '--out',
        configOf('db1'),
        '--broker-url',
        brokerUrl,
      ]);
      expect(byDefault.code, byDefault.stderr).toBe(0);
      // What the agent itself makes of that config (list needs no broker and touches no spool).
      const plugins = join(dir, 'plugins');
      const listed = await runAgent([
        'list',
        '--config',
        configOf('db1'),
        '--plugins',
        plugins,
        '--json',
      ]);
      expect(JSON.parse(listed)).toMatchObject({
        node: 'db1',
        spoolDir: '/var/lib/minke-agent/db1',
        plugins: [{ name: 'os', format: 'json', commandAlias: 'get_os' }],
      });
      const badBase = await minke([
        'agents',
        'enroll',
        'db2',
        '--out',
        configOf('db2'),
        '--broker-url',
        brokerUrl,
        '--spool-base',
        'relative/spools',
      ]);
      expect(badBase.code).not.toBe(0);
      expect(badBase.stderr).toContain(
        '--spool-base "relative/spools" must be an absolute path on the node',
      );
    });

    it('runs two enrolled agents side by side, each on its own spool', async () => {
      const web1 = startAgent(configOf('web1'));
      const web2 = startAgent(configOf('web2'));
      await Promise.all([running(web1), running(web2)]);
      for (const [node, agent] of [
        ['web1', web1],
        ['web2', web2],
      ] as const) {
        const spool = join(dir, 'spools', node);
        expect(await readFile(join(spool, 'node'), 'utf8')).toBe(node);
        expect(JSON.parse(await readFile(join(spool, 'lock'), 'utf8'))).toMatchObject({
          pid: agent.child.pid,
          node,
        });
      }
    });

    it('refuses a second agent on a spool in use, naming the node and process that hold it', async () => {
      const web1Spool = join(dir, 'spools', 'web1');
      const holder = JSON.parse(await readFile(join(web1Spool, 'lock'), 'utf8')) as { pid: number };
      // The same node started twice, and another node pointed at web1's spool.
      for (const config of [configOf('web1'), configOf('web2')]) {
        const second = startAgent(config, [], { MINKE_AGENT_SPOOL_DIR: web1Spool });
        const output = await refused(second);
        expect(output).toContain(
          `minke-agent: spool ${web1Spool} is in use by the agent of node web1 (process ${holder.pid}): every agent needs its own spoolDir`,
        );
        expect(output).not.toContain('agent started');
      }
    });

    it("refuses another node's spool once it is free, and takes over a stale lock", async () => {
      const web1Spool = join(dir, 'spools', 'web1');
      const web1 = started[0]!;
      web1.kill('SIGKILL'); // no clean stop: the lock stays behind, its process gone
      await exited(web1, 10_000);
      expect(JSON.parse(await readFile(join(web1Spool, 'lock'), 'utf8'))).toMatchObject({
        pid: web1.pid,
      });

      const intruder = startAgent(configOf('web2'), [], { MINKE_AGENT_SPOOL_DIR: web1Spool });
      expect(await refused(intruder)).toContain(
        `minke-agent: spool ${web1Spool} belongs to node web1 (recorded in ${join(web1Spool, 'node')}), not web2: give every agent its own spoolDir`,
      );

      const again = startAgent(configOf('web1'));
      await running(again);
      expect(JSON.parse(await readFile(join(web1Spool, 'lock'), 'utf8'))).toMatchObject({
        pid: again.child.pid,
        node: 'web1',
      });
      await stopped(again);
    });

    it('run --strict refuses to start on a malformed plugin file; without it, it is skipped', async () => {
      await writeFile(
        join(dir, 'plugins', 'broken.cfg'),
        '[broken]\nname = broken\ncommand = true\nresult_format = xml\n',
      );
      const strict = startAgent(configOf('web1'), ['--strict']);
      const output = await refused(strict);
      expect(output).toContain(
        `minke-agent: --strict: not starting, 1 plugin problem(s): ${join(dir, 'plugins', 'broken.cfg')}: `,
      );
      expect(output).toMatch(/unknown result_format/);
      expect(output).not.toContain('agent started');
      const lenient = startAgent(configOf('web1'));
      await running(lenient);
      expect(lenient.output()).toContain('plugin rejected');
      await stopped(lenient);
    });

    it('stops cleanly when asked to while it starts', async () => {
      // A plugin file it rejects is reported during the start: the signal comes right then,
      // ten times over. It waits for the start, then stops as asked (exit 0, its lock gone).
      await writeFile(
        join(dir, 'plugins', 'broken.cfg'),
        '[broken]\nname = broken\ncommand = true\nresult_format = xml\n',
      );
      for (let round = 0; round < 10; round++) {
        const agent = startAgent(configOf('web1'));
        agent.child.stderr?.on('data', (chunk: Buffer) => {
          if (chunk.toString().includes('plugin rejected')) agent.child.kill('SIGTERM');
        });
        expect(await agent.closed, agent.output()).toBe(0);
        await expect(readFile(join(dir, 'spools', 'web1', 'lock'))).rejects.toThrow('ENOENT');
      }
    });

    async function runAgent(args: string[]): Promise<string> {
      const child = spawn(process.execPath, [agentBin, ...args], {
        env: { PATH: process.env['PATH'] ?? '' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      expect(await exited(child, 30_000), stderr).toBe(0);
      return stdout;
    }
  },
);
