/**
 * A private ssh-agent for a test: its own socket in a temp folder, holding the keys given.
 * Nothing of the developer's own agent is used or changed.
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const socketPolls = 100;
const socketPollMs = 20;

export interface TestAgent {
  socket: string;
  stop: () => Promise<void>;
}

/** Starts `ssh-agent -D` on a fresh socket and adds the (unencrypted) keys to it. */
export async function startSshAgent(keyPaths: readonly string[]): Promise<TestAgent> {
  const dir = await mkdtemp(join(tmpdir(), 'minke-agent-'));
  const socket = join(dir, 'agent.sock');
  const agent = spawn('ssh-agent', ['-D', '-a', socket], { stdio: 'ignore' });
  const stop = async () => {
    if (agent.exitCode === null && agent.signalCode === null) {
      const exited = new Promise((resolve) => agent.once('exit', resolve));
      agent.kill('SIGTERM');
      await exited;
    }
    await rm(dir, { recursive: true, force: true });
  };
  for (let poll = 0; poll < socketPolls && !existsSync(socket); poll++) {
    await new Promise((resolve) => setTimeout(resolve, socketPollMs));
  }
  if (!existsSync(socket)) {
    await stop();
    throw new Error('ssh-agent did not create its socket in time');
  }
  for (const key of keyPaths) {
    await run('ssh-add', ['-q', key], { env: { ...process.env, SSH_AUTH_SOCK: socket } });
  }
  return { socket, stop };
}
