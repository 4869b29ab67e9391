import { chmod, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from './cli.js';
import { AgentTestWorld, withTimeout } from './test-support/agent-harness.js';
import { startAedes, type TestBroker } from './test-support/brokers.js';
import { waitFor } from './test-support/fake-server.js';

describe('minke-agent run --oneshot (against aedes)', () => {
  let broker: TestBroker;
  let world: AgentTestWorld;

  beforeEach(async () => {
    broker = await startAedes();
    world = new AgentTestWorld(broker);
    await world.setUp();
  });

  afterEach(async () => {
    await world.tearDown();
    await broker.close();
  });

  it('reads the config file an enrollment writes, answers one request and exits 0', async () => {
    const config = join(world.spoolDir, '..', 'agent.yaml');
    await writeFile(
      config,
      [
        `node: ${world.node}`,
        `brokerUrl: ${broker.url}`,
        `username: ${world.node}`,
        'password: not-checked-by-the-test-broker',
        `serverPublicKey: ${world.keys.publicKeyBase64}`,
        `spoolDir: spool`,
        `topicPrefix: ${world.prefix}`,
        'logLevel: debug',
      ].join('\n'),
    );
    await chmod(config, 0o600);
    const server = await world.server();
    let stderr = '';
    const exit = main(['run', '--config', config, '--plugins', world.pluginsDir, '--oneshot'], {
      stdout: () => undefined,
      stderr: (text) => void (stderr += text),
      env: {},
      stopRequested: () => new Promise(() => undefined),
    });
    await waitFor('the agent online', () =>
      server.presences.some((p) => p.node === world.node && p.online),
    );
    const request = await server.request('hello', { node: world.node });
    expect(await withTimeout(exit, 15_000, 'minke-agent to exit')).toBe(0);
    expect(server.resultsFor(request.request.id)).toMatchObject([
      { ok: true, value: { hello: 'world' } },
    ]);
    expect(stderr).toMatch(/request accepted/);
    expect(stderr).not.toMatch(/not-checked-by-the-test-broker/);
    await waitFor('presence offline', () => server.presences.at(-1)?.online === false);
  });
});
