import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiHarness, type ApiHarness } from '../../../test-support/api-harness.js';
import { sqliteBackend } from '../../../test-support/databases.js';
import { useTempSigningKey } from '../../../test-support/facts-fixtures.js';
import { waitUntil } from '../../../test-support/agent-fleet.js';
import { exited } from '../../../test-support/project-folder.js';
import { spawnBuiltCli } from '../../../test-support/run-cli.js';
import type { AgentServicesRef } from '../../api/api-context.js';
import { AgentStore } from '../../facts/agent-store.js';
import { startAgentServices, type AgentServices } from '../../facts/start-agent-services.js';

const tmp = mkdtempSync(join(tmpdir(), 'minke-remote-dispatch-'));

/**
 * `minke --server URL dispatch --wait` when the server goes away while it waits: the request was
 * made and stands, so the error names it (the built CLI, a server with its agent services).
 */
describe('dispatch --wait through a server that goes away', { timeout: 120_000 }, () => {
  let h: ApiHarness;
  let services: AgentServices | undefined;
  const agents: AgentServicesRef = { current: undefined };

  beforeAll(async () => {
    h = await startApiHarness(sqliteBackend(), { agents });
    useTempSigningKey(h.project, tmp);
    await h.user('root', { superuser: true });
    services = await startAgentServices(h.project, { port: 0, listen: '127.0.0.1' });
    agents.current = services;
  });
  afterAll(async () => {
    await services?.close();
    await h.close();
    rmSync(tmp, { recursive: true, force: true });
  });

  it('names the request that stands when the server stops answering', async () => {
    await new AgentStore(h.project).enroll('edge-1'); // enrolled, never started: no answer
    const url = await h.app.listen({ host: '127.0.0.1', port: 0 });
    const { token } = await h.withToken('root');
    const child = spawnBuiltCli(
      ['--server', url, 'dispatch', 'os', '--node', 'edge-1', '--wait', '--timeout', '60'],
      {
        cwd: tmp,
        env: { MINKE_TOKEN: token, MINKE_SERVER_URL: undefined, MINKE_PROJECT: undefined },
      },
    );
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const requests = () =>
      h.project.database.tables.selectFrom('minke_agent_requests').select('id').execute();
    await waitUntil('the request made', async () => (await requests()).length === 1, 30_000);
    const [request] = await requests();

    await h.app.close(); // the server goes away while the CLI waits
    expect(await exited(child, 60_000)).toBe(1);
    // Refused when the close came between two polls, reset when it cut one (seen on a CI run).
    const [, why] = /: (connection refused|the connection was reset) \(/.exec(stderr) ?? [];
    expect(why).toBeDefined();
    expect(stderr).toBe(
      `minke: error: cannot reach the Minke server at ${url}: ${why} (while waiting for request ${request?.id}, which stands: its answers are stored as facts when they come)\n`,
    );
  });
});
