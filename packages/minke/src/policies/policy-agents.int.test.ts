import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { PolicyTransition } from '@minke/contract';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AgentFleet, nodeCommand, waitUntil } from '../../test-support/agent-fleet.js';
import { onPolicyStartedFailing } from './policy-hooks.js';
import { policyHistory, policyHosts, savePolicy } from './policy-operations.js';

/**
 * Policies are evaluated when an agent reports new facts: a real agent engine on the embedded
 * broker answers a plugin that reads a file the test rewrites; the server stores the result and
 * evaluates the node's host, with nothing else asked.
 */
describe('policies evaluated when agents report facts', () => {
  let fleet: AgentFleet;

  beforeEach(async () => {
    fleet = await AgentFleet.create('embedded');
    const release = join(fleet.dir, 'release.json');
    await writeFile(release, JSON.stringify({ VERSION_ID: '12' }));
    await writeFile(
      join(fleet.dir, 'plugins', 'os-release.cfg'),
      `[os-release]\nname = os-release\ncommand = ${nodeCommand(
        `process.stdout.write(require("fs").readFileSync(${JSON.stringify(release)}, "utf8"))`,
      )}\nresult_format = json\n`,
    );
    await fleet.startServer();
  });
  afterEach(async () => {
    await fleet?.tearDown();
  });

  it('fails a host when its new facts break the policy, and passes it again', async () => {
    const project = fleet.openProject;
    await project.hosts.add({ name: 'web1' });
    await savePolicy(project, { name: 'bookworm', where: 'facts.os-release.VERSION_ID >= 12' });
    const told: PolicyTransition[] = [];
    const stop = onPolicyStartedFailing(project, (changes) => told.push(...changes));
    await fleet.startAgent('web1');
    const standing = async () =>
      (await policyHosts(project, 'bookworm')).items.map((i) => `${i.host}:${i.passing}`);

    await fleet.dispatchAndWait({ plugin: 'os-release', nodes: ['web1'] });
    await waitUntil('web1 to pass', async () => (await standing()).join() === 'web1:true');

    await writeFile(join(fleet.dir, 'release.json'), JSON.stringify({ VERSION_ID: '11' }));
    await fleet.dispatchAndWait({ plugin: 'os-release', nodes: ['web1'] });
    await waitUntil('web1 to fail', async () => (await standing()).join() === 'web1:false');
    expect(told.map((t) => `${t.policy}:${t.host}:${t.passing}`)).toEqual(['bookworm:web1:false']);

    await writeFile(join(fleet.dir, 'release.json'), JSON.stringify({ VERSION_ID: '13' }));
    await fleet.dispatchAndWait({ plugin: 'os-release', nodes: ['web1'] });
    await waitUntil('web1 to pass again', async () => (await standing()).join() === 'web1:true');
    stop();
    // Newest first; the first row is the policy's creation, when web1 had no facts yet.
    const history = await policyHistory(project, 'bookworm', { host: 'web1' });
    expect(history.items.map((i) => i.passing)).toEqual([true, false, true, false]);
    // The failing host was handed to notifications (no rule listens here: nothing to deliver).
    expect(fleet.serverLogs.join('\n')).not.toMatch(/policies: (cannot queue|evaluation failed)/);
  });
});
