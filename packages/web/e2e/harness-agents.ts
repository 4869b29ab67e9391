import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { until } from './helpers.js';
import { cli, repoRoot, stopChild, type MinkeServer } from './harness.js';

const agentBin = join(repoRoot, 'packages/agent/bin/minke-agent.js');
const BROKER_LINE = /agents: MQTT broker (mqtt:\/\/\S+)/;

/** A real `minke-agent run` for one node, enrolled on the server. */
export interface RunningAgent {
  node: string;
  child: ChildProcess;
  /** Its stdout and stderr so far (for failure messages). */
  log: () => string;
  /** The folder its plugins' answer files live in. */
  home: string;
}

/** A word quoted for the shell an agent's plugin command runs in. */
export function quoted(word: string): string {
  return `'${word.replace(/'/g, `'"'"'`)}'`;
}

/** Where `minke start`'s embedded broker listens (it says so once the agent services are up). */
export async function brokerUrlOf(server: MinkeServer): Promise<string> {
  await until(
    () => Promise.resolve(BROKER_LINE.test(server.log())),
    'the agent services to start',
    15_000,
  );
  return BROKER_LINE.exec(server.log())?.[1] as string;
}

/**
 * Enrols `node` and starts its agent under `dir/<node>`; `plugins(home)` writes the plugin
 * files (name → text) for it, given the node's folder to keep answer files in.
 */
export async function startAgent(
  dir: string,
  server: MinkeServer,
  brokerUrl: string,
  node: string,
  plugins: (home: string) => Record<string, string>,
): Promise<RunningAgent> {
  const home = join(dir, node);
  const pluginsDir = join(home, 'plugins');
  mkdirSync(pluginsDir, { recursive: true });
  for (const [file, text] of Object.entries(plugins(home)))
    writeFileSync(join(pluginsDir, file), text);
  const config = join(home, 'agent.yaml');
  await cli(server.projectDir, [
    'agents',
    'enroll',
    node,
    '--out',
    config,
    '--broker-url',
    brokerUrl,
  ]);
  const child = spawn(
    process.execPath,
    [agentBin, 'run', '--config', config, '--plugins', pluginsDir],
    {
      env: { ...process.env, MINKE_AGENT_SPOOL_DIR: join(home, 'spool') },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let log = '';
  child.stdout?.on('data', (chunk: Buffer) => (log += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (log += chunk.toString()));
  return { node, child, log: () => log, home };
}

export function stopAgent(agent: RunningAgent): Promise<void> {
  return stopChild(agent.child, 5000);
}
