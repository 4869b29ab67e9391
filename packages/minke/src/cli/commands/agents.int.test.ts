import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { AgentFleet, waitUntil } from '../../../test-support/agent-fleet.js';
import { runCli } from '../../../test-support/run-cli.js';

/**
 * The agent commands as a user runs them, in their own processes, next to a running server (the
 * agent services of this test process, on the same project): `dispatch` only writes the request
 * ledger; the server's gateway publishes it.
 */
describe('minke agents, dispatch and facts', { timeout: 120_000 }, () => {
  let fleet: AgentFleet;
  let dir: string;
  const cli = (...args: string[]) => runCli(['--project', dir, ...args], { timeoutMs: 60_000 });

  beforeAll(async () => {
    fleet = await AgentFleet.create('embedded');
    dir = fleet.dir;
    const services = await fleet.startServer();
    await writeFile(join(dir, 'package.json'), '{ "type": "module" }\n');
    await writeFile(
      join(dir, 'minke.config.ts'),
      `export default { database: 'sqlite:minke.db', mqtt: { port: ${services.broker?.port} } };\n`,
    );
  });
  afterAll(async () => {
    await fleet?.tearDown();
  });

  it('enrols an agent into a private config file without printing its password', async () => {
    expect((await cli('hosts', 'add', 'web1')).code).toBe(0);
    const file = join(dir, 'web1.yaml');
    const enrolled = await cli('agents', 'enroll', 'web1', '--out', file);
    expect(enrolled.stderr).toBe('');
    expect(enrolled.code).toBe(0);
    expect(enrolled.stdout).toContain(`enrolled web1: agent config written to ${file} (mode 600)`);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const config = parseYaml(await readFile(file, 'utf8')) as Record<string, string>;
    expect(config).toMatchObject({
      node: 'web1',
      brokerUrl: fleet.brokerUrl,
      username: 'web1',
      serverPublicKey: fleet.services!.signingKey.publicKeyBase64,
      topicPrefix: 'minke/v1',
      spoolDir: '/var/lib/minke-agent/web1', // one spool per node
    });
    expect(enrolled.stdout).toContain('  spool: /var/lib/minke-agent/web1\n');
    expect(config['password']).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(enrolled.stdout).not.toContain(config['password']);

    await fleet.startAgent('web1', {}, file);
    const list = await cli('agents', 'list');
    expect(list.stdout).toMatch(/^NODE\s+HOST\s+STATE/m);
    expect(list.stdout).toMatch(
      /^web1\s+web1\s+online\s+0\.1\.0\s+badjson,fails,greeting,hangs,lines,os,/m,
    );
  });

  it('dispatches and waits: one line per node, non-zero when one fails or times out', async () => {
    const ok = await cli('dispatch', 'os', '--node', 'web1', '--wait', '--timeout', '30');
    expect(ok.stderr).toBe('');
    expect(ok.stdout).toContain('web1  ok\n');
    expect(ok.stdout).toContain('1 node(s): 1 ok, 0 failed, 0 timed out');
    expect(ok.code).toBe(0);

    const failed = await cli('dispatch', 'fails', '--all', '--wait', '--timeout', '30');
    expect(failed.stdout).toContain('web1  failed: command exited with code 3: boom');
    expect(failed.code).toBe(1);

    await fleet.enroll('db1'); // never started
    const late = await cli('dispatch', 'os', '--node', 'db1', 'web1', '--wait', '--timeout', '3');
    expect(late.stdout).toContain('web1  ok');
    expect(late.stdout).toContain('db1  timed out: no answer (pending)');
    expect(late.code).toBe(1);

    const unauthorized = await cli('dispatch', 'nope', '--node', 'web1', '--wait');
    expect(unauthorized.stdout).toContain('web1  failed: not authorized on this node');

    const queued = await cli('dispatch', 'lines', '--where', 'facts.os.id = debian', '--json');
    expect(JSON.parse(queued.stdout)).toMatchObject({ plugin: 'lines', nodes: ['web1'] });
    await waitUntil('the queued request answered', async () => {
      const status = await fleet.gateway.ledger.status(
        (JSON.parse(queued.stdout) as { id: string }).id,
      );
      return status?.state === 'done';
    });

    const usage = await cli('dispatch', 'os');
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('exactly one of --node, --all, --where');
  });

  it('prints current facts, their history, and selects hosts by facts', async () => {
    const shown = await cli('facts', 'web1');
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(
      /^lines \(output, collected .*, request [0-9a-f-]{36}\)\n {2}a\n {2}b$/m,
    );
    expect(shown.stdout).toMatch(/^os \(json, collected /m);
    const json = await cli('facts', 'web1', '--plugin', 'os', '--json');
    expect(JSON.parse(json.stdout)).toMatchObject([
      { node: 'web1', plugin: 'os', format: 'json', value: { release: '12', id: 'debian' } },
    ]);
    const history = await cli('facts', 'history', 'web1', 'os');
    expect(history.stdout).toMatch(/^COLLECTED\s+REQUEST\s+VALUE/m);
    expect(history.stdout.trim().split('\n')).toHaveLength(2); // the value never changed
    const hosts = await cli('hosts', 'list', '--where', 'facts.os.release = "12"');
    expect(hosts.stdout).toMatch(/^web1\s/m);
    const none = await cli('facts', 'nobody');
    expect(none.code).toBe(2); // an unknown name is a usage mistake, as every not-found on the CLI
    expect(none.stderr).toContain('no agent for host or node nobody');
  });
});
