import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { backendFactories, type TestBackend } from '../../test-support/databases.js';
import { silentLogger } from '../logger.js';
import type { OpenedProject } from '../runtime/open-project.js';
import { RunStore } from '../runs/run-store.js';
import { notificationsOf } from './notification-settings.js';
import { Notifier } from './notifier.js';
import { runNotifications } from './run-notifications.js';

const tmp = mkdtempSync(join(tmpdir(), 'minke-run-notifications-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

// A run's notifications as its reader asks for them: queued if its end is recent and no server
// has queued them, never for an old run (a channel made since must not hear of it).
describe.each(backendFactories(() => tmp))('a run’s notifications on $name', ({ make }) => {
  let backend: TestBackend;
  let project: OpenedProject;
  let notifier: Notifier;

  beforeEach(async () => {
    backend = make();
    project = await backend.open([]);
    const settings = notificationsOf({
      channels: [{ name: 'ops-hook', kind: 'webhook', url: 'http://127.0.0.1:9/hook' }],
      rules: [{ on: ['run.finished'], channel: 'ops-hook' }],
    });
    notifier = new Notifier({ database: project.database, settings, logger: silentLogger });
  });
  afterEach(async () => {
    await project.close();
    await backend.cleanup();
  });

  async function finishedRun(): Promise<{ id: number; finishedAt: string }> {
    const runs = new RunStore(project.database);
    const { runId } = await runs.createRun({
      session: 'Hello',
      verboseName: 'Hello',
      model: 'Host',
      userId: null,
      data: {},
      records: [],
    });
    await runs.finishRun(runId);
    const row = await project.database.tables
      .selectFrom('minke_runs')
      .select('finished_at')
      .where('id', '=', runId)
      .executeTakeFirstOrThrow();
    return { id: runId, finishedAt: String(row.finished_at) };
  }

  it('queues a just finished run’s deliveries once, and hides their errors but to superusers', async () => {
    const run = await finishedRun();
    const justAfter = Date.parse(run.finishedAt) + 1000;
    const first = await runNotifications(notifier, silentLogger, run, true, justAfter);
    expect(first.map((d) => [d.channel, d.event, d.state, d.runId])).toEqual([
      ['ops-hook', 'run.finished', 'pending', run.id],
    ]);
    // The first attempt fails. Asked again (as by the server that heard the run): the one
    // delivery, its error for superusers only.
    await notifier.store.attemptFailed(first[0]?.id ?? 0, 1, 'HTTP 500 Internal Server Error');
    const asSuperuser = await runNotifications(notifier, silentLogger, run, true, justAfter);
    const asOwner = await runNotifications(notifier, silentLogger, run, false, justAfter);
    expect(asSuperuser.map((d) => [d.id, d.state, d.lastError])).toEqual([
      [first[0]?.id, 'failed', 'HTTP 500 Internal Server Error'],
    ]);
    expect(asOwner.map((d) => [d.id, d.state, d.lastError])).toEqual([
      [first[0]?.id, 'failed', null],
    ]);
  });

  it('never queues for an old run, nor for one that goes on', async () => {
    const run = await finishedRun();
    const later = Date.parse(run.finishedAt) + 10 * 60_000;
    expect(await runNotifications(notifier, silentLogger, run, true, later)).toEqual([]);
    expect(
      await runNotifications(notifier, silentLogger, { id: run.id, finishedAt: null }, true),
    ).toEqual([]);
    expect((await notifier.store.list({ run: run.id })).items).toEqual([]);
  });
});
