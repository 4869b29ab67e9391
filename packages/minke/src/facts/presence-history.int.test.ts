import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { backendFactories, type TestBackend } from '../../test-support/databases.js';
import { demoModels } from '../../test-support/demo-models.js';
import type { OpenedProject } from '../runtime/open-project.js';
import { AgentStore, PRESENCE_HISTORY_DAYS } from './agent-store.js';
import { agentsOnlineOverTime } from './presence-over-time.js';
import { agentPresence } from '../../test-support/facts-fixtures.js';

const tmp = mkdtempSync(join(tmpdir(), 'minke-presence-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** An instant strictly after every change written so far (bounded: the clock moves on). */
async function instant(): Promise<Date> {
  const at = new Date();
  for (let i = 0; i < 100 && Date.now() <= at.getTime(); i++)
    await new Promise((resolve) => setTimeout(resolve, 2));
  return at;
}

// Presence history: written by the agent store on changes only, read back as agents online at
// given instants; SQLite and PostgreSQL.
describe.each(backendFactories(() => tmp))('agent presence history on $name', ({ make }) => {
  let backend: TestBackend;
  let project: OpenedProject;
  let agents: AgentStore;

  beforeEach(async () => {
    backend = make();
    project = await backend.open(demoModels);
    agents = new AgentStore(project);
  });
  afterEach(async () => {
    await project.close();
    await backend.cleanup();
  });

  const rows = () =>
    project.database.tables
      .selectFrom('minke_agent_presence as p')
      .innerJoin('minke_agents as a', 'a.id', 'p.agent_id')
      .select(['a.node', 'p.online'])
      .orderBy('p.id')
      .execute();
  /** Agents online at `until`, and at `since` (the series' first and last points). */
  const onlineAt = async (since: Date, until: Date) => {
    const series = await agentsOnlineOverTime(project.database, { since, until, stepMs: 1e9 });
    return [series[0]?.online, series.at(-1)?.online];
  };

  it('keeps a row per change of presence, and counts agents online at any instant from it', async () => {
    const t0 = await instant();
    await agents.recordPresence(agentPresence('n1', true));
    await agents.recordPresence(agentPresence('n2', true));
    // the same presence again (a reconnect, a repeated retained message) is no change
    await agents.recordPresence(agentPresence('n1', true));
    const t1 = await instant();
    await agents.recordPresence(agentPresence('n1', false));
    const t2 = await instant();
    // a server starting: everyone online goes offline now (n1 is offline already)
    await agents.markAllOffline();
    const t3 = await instant();
    await agents.recordPresence(agentPresence('n1', true));
    const t4 = await instant();

    expect(await rows()).toEqual([
      { node: 'n1', online: true },
      { node: 'n2', online: true },
      { node: 'n1', online: false },
      { node: 'n2', online: false },
      { node: 'n1', online: true },
    ]);
    expect(await onlineAt(t0, t1)).toEqual([0, 2]);
    expect(await onlineAt(t0, t2)).toEqual([0, 1]);
    expect(await onlineAt(t0, t3)).toEqual([0, 0]);
    expect(await onlineAt(t0, t4)).toEqual([0, 1]);
    // From the middle: the state at the start is the opposite of each agent's next change
    expect(await onlineAt(t2, t4)).toEqual([1, 1]);
    expect(await onlineAt(t2, t3)).toEqual([1, 0]);
    // No change since: as now
    expect(await onlineAt(t4, await instant())).toEqual([1, 1]);
  });

  it('gives one point per step from since to until, now last', async () => {
    await agents.recordPresence(agentPresence('n1', true));
    const until = await instant();
    const since = new Date(until.getTime() - 7 * 86_400_000);
    const series = await agentsOnlineOverTime(project.database, {
      since,
      until,
      stepMs: 3_600_000,
    });
    expect(series).toHaveLength(7 * 24 + 1);
    expect(series[0]).toEqual({ at: since.toISOString(), online: 0 });
    expect(series.at(-1)).toEqual({ at: until.toISOString(), online: 1 });
  });

  it("drops an agent's changes older than the history keeps at its next change", async () => {
    await agents.recordPresence(agentPresence('n1', true));
    await agents.recordPresence(agentPresence('n2', true));
    const old = new Date(Date.now() - (PRESENCE_HISTORY_DAYS + 1) * 86_400_000);
    await project.database.tables
      .updateTable('minke_agent_presence')
      .set({ changed_at: old })
      .execute();
    await agents.recordPresence(agentPresence('n1', false));
    // n1's old row is gone, n2's stays until n2 changes
    expect(await rows()).toEqual([
      { node: 'n2', online: true },
      { node: 'n1', online: false },
    ]);
  });

  it('records presences that arrive together in order, each change kept, agents and hosts made', async () => {
    await project.records.create('Host', { name: 'n2' });
    // One batch, as the gateway hands it over after a restart: n1 flaps, n3 is new, n2 has a host.
    await agents.recordPresences([
      agentPresence('n1', true),
      agentPresence('n2', true),
      {
        ...agentPresence('n3', true),
        agentVersion: '0.2.0',
        plugins: [{ name: 'facts', description: '', format: 'json' as const }],
      },
      agentPresence('n1', false),
      agentPresence('n1', true),
    ]);
    expect(await rows()).toEqual([
      { node: 'n1', online: true },
      { node: 'n2', online: true },
      { node: 'n3', online: true },
      { node: 'n1', online: false },
      { node: 'n1', online: true },
    ]);
    const listed = await agents.list();
    expect(listed.map((agent) => [agent.node, agent.online, agent.agentVersion])).toEqual([
      ['n1', true, '0.1.0'],
      ['n2', true, '0.1.0'],
      ['n3', true, '0.2.0'],
    ]);
    expect(listed.find((agent) => agent.node === 'n3')?.plugins.map((p) => p.name)).toEqual([
      'facts',
    ]);
    expect(listed.map((agent) => agent.hostName)).toEqual([null, 'n2', null]);
  });
});
