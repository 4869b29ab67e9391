import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { backendFactories, type TestBackend } from '../../test-support/databases.js';
import { demoModels } from '../../test-support/demo-models.js';
import { factResult, useTempSigningKey } from '../../test-support/facts-fixtures.js';
import { runFinished } from '../../test-support/run-waiter.js';
import { localOperator } from '../auth/run-user.js';
import { AgentStore } from '../facts/agent-store.js';
import { FactStore } from '../facts/fact-store.js';
import type { OpenedProject } from '../runtime/open-project.js';
import { createRuntime, type Runtime } from '../runtime/runtime.js';
import { Session } from '../session/session.js';
import { definePolicy } from '../config/define-policy.js';
import { evaluatePolicies } from './evaluate-policies.js';
import { onPolicyStartedFailing } from './policy-hooks.js';
import {
  checkPolicies,
  deletePolicy,
  hostPolicies,
  listPolicies,
  policyCompliance,
  policyHistory,
  policyHosts,
  savePolicy,
} from './policy-operations.js';
import { remediate } from './remediate.js';

/** The remediation session: records which host it ran on. */
class InstallSsh extends Session {
  static override workOn = ['Host'];
  override async process() {
    await this.addMsg(`installing openssh-server on ${String(this.obj['name'])}`);
  }
}

const sshPolicy = definePolicy({
  name: 'ssh-on-bookworm',
  description: 'Debian 12 or later with the OpenSSH server',
  where: 'facts.os-release.VERSION_ID >= 12 and facts.packages.openssh-server exists',
  scope: 'name ^= web',
});

const tmp = mkdtempSync(join(tmpdir(), 'minke-policies-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe.each(backendFactories(() => tmp))('fact policies on $name', ({ make }) => {
  let backend: TestBackend;
  let project: OpenedProject;
  let runtime: Runtime;
  let facts: FactStore;
  let clock = 0;

  /** Stores a host's facts as its agent would report them (each report later than the last). */
  const report = async (node: string, versionId: string, packages: Record<string, string>) => {
    clock++;
    const finishedAt = new Date(Date.UTC(2030, 0, 1, 0, 0, clock)).toISOString();
    await facts.storeResults([
      factResult({ node, plugin: 'os-release', value: { VERSION_ID: versionId }, finishedAt }),
      factResult({ node, plugin: 'packages', value: packages, finishedAt }),
    ]);
  };

  beforeEach(async () => {
    backend = make();
    project = useTempSigningKey(await backend.open(demoModels, {}, [InstallSsh]), tmp);
    project.config.policies = [sshPolicy];
    runtime = createRuntime(project, { quiet: true });
    facts = new FactStore(project.database, new AgentStore(project));
    for (const name of ['web1', 'web2', 'db1'])
      await project.hosts.add({ name, config: { transport: 'local' } });
    await report('web1', '12', { 'openssh-server': '1:9.2' });
    await report('web2', '12', { 'openssh-server': '1:9.2', nginx: '1.22' });
    await report('db1', '11', {});
  });
  afterEach(async () => {
    await runtime.close();
    await project.close();
    await backend.cleanup();
  });

  const hostIdOf = async (name: string) =>
    (await project.records.findBy('Host', 'name', name))?.id as number;

  it('keeps each change of a host between passing and failing, and since when', async () => {
    const t = (day: number) => new Date(Date.UTC(2030, 0, day, 12));
    // The project's policy is stored at first use and evaluated on every host in its scope.
    const listed = await listPolicies(project);
    expect(listed.items).toEqual([
      expect.objectContaining({
        name: 'ssh-on-bookworm',
        origin: 'project',
        passing: 2,
        failing: 0,
      }),
    ]);
    const [policy] = await project.database.tables
      .selectFrom('minke_policies')
      .selectAll()
      .execute();
    const web1 = await hostIdOf('web1');
    // Start again from a known time: pass on day 1, fail on day 3, pass on day 5.
    await project.database.tables.deleteFrom('minke_policy_history').execute();
    await project.database.tables.deleteFrom('minke_policy_results').execute();
    const evaluate = (day: number) => evaluatePolicies(project, { hostIds: [web1], now: t(day) });
    expect((await evaluate(1)).changed).toEqual([
      { policy: 'ssh-on-bookworm', host: 'web1', passing: true, at: t(1).toISOString() },
    ]);
    await report('web1', '12', {}); // openssh-server removed
    expect((await evaluate(3)).changed).toEqual([
      { policy: 'ssh-on-bookworm', host: 'web1', passing: false, at: t(3).toISOString() },
    ]);
    expect((await evaluate(4)).changed).toEqual([]); // still failing: no new row
    const failing = await policyHosts(project, 'ssh-on-bookworm', { status: 'failing' });
    expect(failing.items).toEqual([
      expect.objectContaining({
        host: 'web1',
        passing: false,
        since: t(3).toISOString(),
        checkedAt: t(4).toISOString(),
      }),
    ]);
    await report('web1', '13', { 'openssh-server': '1:9.6' });
    await evaluate(5);
    const rows = await project.database.tables
      .selectFrom('minke_policy_history')
      .select(['policy_id', 'host_name', 'state', 'changed_at'])
      .orderBy('id')
      .execute();
    expect(rows).toEqual(
      [
        ['pass', 1],
        ['fail', 3],
        ['pass', 5],
      ].map(([state, day]) => ({
        policy_id: policy?.id,
        host_name: 'web1',
        state,
        changed_at: t(day as number).toISOString(),
      })),
    );
    const history = await policyHistory(project, 'ssh-on-bookworm', { host: 'web1' });
    expect(history.items.map((i) => [i.passing, i.at])).toEqual([
      [true, t(5).toISOString()],
      [false, t(3).toISOString()],
      [true, t(1).toISOString()],
    ]);
    expect((await hostPolicies(project, 'web1')).items).toEqual([
      expect.objectContaining({
        policy: 'ssh-on-bookworm',
        passing: true,
        since: t(5).toISOString(),
      }),
    ]);
    // "How many hosts passed on day 4": one series point per day, the last one now.
    const series = await policyCompliance(project, 'ssh-on-bookworm', 7, t(7));
    expect(series.points.map((p) => [p.at.slice(0, 10), p.passing, p.failing])).toEqual([
      ['2030-01-01', 1, 0],
      ['2030-01-02', 1, 0],
      ['2030-01-03', 0, 1],
      ['2030-01-04', 0, 1],
      ['2030-01-05', 1, 0],
      ['2030-01-06', 1, 0],
      ['2030-01-07', 1, 0],
    ]);
  });

  it('tells the policy-failing hook, and evaluates hosts only in scope', async () => {
    const told: string[] = [];
    const stop = onPolicyStartedFailing(project, (changes) =>
      told.push(...changes.map((c) => `${c.policy}:${c.host}`)),
    );
    await listPolicies(project);
    await report('web2', '11', { 'openssh-server': '1:9.2' });
    const outcome = await checkPolicies(project, { hosts: ['web2', 'db1'] });
    stop();
    // db1 is out of scope (not web*): never evaluated.
    expect(outcome).toMatchObject({ policies: 1, evaluated: 1 });
    expect(told).toEqual(['ssh-on-bookworm:web2']);
    expect((await hostPolicies(project, 'db1')).items).toEqual([]);
  });

  it('runs a session on the failing hosts (remediation)', async () => {
    await report('web2', '12', {});
    await checkPolicies(project);
    const started = await remediate(runtime, 'ssh-on-bookworm', {
      session: 'InstallSsh',
      user: localOperator,
    });
    expect(started.records.map((r) => r.hostName)).toEqual(['web2']);
    await runFinished(runtime.bus, started.runId);
    const messages = await project.database.tables
      .selectFrom('minke_messages')
      .select('text')
      .execute();
    expect(messages.map((m) => m.text)).toContain('installing openssh-server on web2');
    await expect(
      remediate(runtime, 'ssh-on-bookworm', {
        session: 'InstallSsh',
        hosts: ['web1'],
        user: localOperator,
      }),
    ).rejects.toThrow('not failing ssh-on-bookworm: web1');
  });

  it('makes, replaces and deletes policies outside the project, refusing the project ones', async () => {
    await savePolicy(project, { name: 'has-nginx', where: 'facts.packages.nginx exists' });
    expect(
      (await listPolicies(project)).items.map((p) => [p.name, p.origin, p.passing, p.failing]),
    ).toEqual([
      ['has-nginx', 'api', 1, 2],
      ['ssh-on-bookworm', 'project', 2, 0],
    ]);
    await expect(savePolicy(project, { name: 'bad', where: 'facts.os >=' })).rejects.toThrow(
      /where: invalid --where/,
    );
    await expect(deletePolicy(project, 'ssh-on-bookworm')).rejects.toThrow(
      "policy ssh-on-bookworm is defined in the project's files: remove it there",
    );
    await deletePolicy(project, 'has-nginx');
    expect((await listPolicies(project)).items.map((p) => p.name)).toEqual(['ssh-on-bookworm']);
    const audit = await project.database.tables
      .selectFrom('minke_audit_log')
      .select('action')
      .where('target_type', '=', 'policy')
      .orderBy('id')
      .execute();
    expect(audit.map((a) => a.action)).toEqual(['policy.create', 'policy.delete']);
  });
});
