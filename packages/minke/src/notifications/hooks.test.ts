import { afterEach, describe, expect, it } from 'vitest';
import { sqliteBackend } from '../../test-support/databases.js';
import { createLogger } from '../logger.js';
import type { OpenedProject } from '../runtime/open-project.js';
import { notifyPolicyFailing, notifyScheduleMissed } from './hooks.js';

const silent = createLogger({ level: 'silent' });
const opened: OpenedProject[] = [];
afterEach(async () => {
  for (const project of opened.splice(0)) await project.close();
});

async function projectWith(notifications: unknown): Promise<OpenedProject> {
  const project = await sqliteBackend().open([]);
  opened.push(project);
  // As minke.config.ts would give it.
  (project.config as { notifications?: unknown }).notifications = notifications;
  return project;
}

describe('the hooks for schedules and policies', () => {
  it('queue one delivery per listening channel, once per tick or failure', async () => {
    const project = await projectWith({
      channels: [
        { name: 'hook', kind: 'webhook', url: 'http://127.0.0.1:9/x' },
        { name: 'chat', kind: 'chat', url: { env: 'CHAT_URL' } },
      ],
      rules: [
        { on: ['schedule.missed'], channel: 'hook' },
        { on: ['policy.failing'], channel: 'chat' },
      ],
    });
    const tickAt = '2030-01-01T02:00:00.000Z';
    const missed = { job: 'nightly', tickAt, reason: 'Minke was down' };
    expect(await notifyScheduleMissed(project, silent, missed)).toBe(1);
    expect(await notifyScheduleMissed(project, silent, missed)).toBe(0); // the same tick again
    // A job's own rule adds its channel.
    const withJobRule = { ...missed, tickAt: '2030-01-02T02:00:00.000Z' };
    const rules = [{ on: ['schedule.missed' as const], channel: 'chat' }];
    expect(await notifyScheduleMissed(project, silent, { ...withJobRule, rules })).toBe(2);
    const since = '2030-01-01T03:00:00.000Z';
    expect(
      await notifyPolicyFailing(project, silent, { policy: 'ssh', host: 'web-1', since }),
    ).toBe(1);
    const log = await project.database.tables
      .selectFrom('minke_notification_deliveries')
      .select(['channel', 'event', 'subject', 'state'])
      .orderBy('id')
      .execute();
    expect(log).toEqual([
      {
        channel: 'hook',
        event: 'schedule.missed',
        subject: `Minke: schedule of nightly missed at ${tickAt}`,
        state: 'pending',
      },
      {
        channel: 'hook',
        event: 'schedule.missed',
        subject: 'Minke: schedule of nightly missed at 2030-01-02T02:00:00.000Z',
        state: 'pending',
      },
      {
        channel: 'chat',
        event: 'schedule.missed',
        subject: 'Minke: schedule of nightly missed at 2030-01-02T02:00:00.000Z',
        state: 'pending',
      },
      {
        channel: 'chat',
        event: 'policy.failing',
        subject: 'Minke: policy ssh failing on web-1',
        state: 'pending',
      },
    ]);
  });

  it('refuse a config mistake, naming the setting', async () => {
    const project = await projectWith({
      channels: [{ name: 'hook', kind: 'webhook', url: 'http://127.0.0.1:9/x' }],
      rules: [{ on: ['run.failed'], channel: 'mail' }],
    });
    await expect(
      notifyPolicyFailing(project, silent, { policy: 'ssh', host: 'web-1' }),
    ).rejects.toThrow('notifications.rules.0: no channel named mail (known: hook)');
    const bad = await projectWith({ channels: [{ name: 'x', kind: 'pager' }] });
    await expect(
      notifyPolicyFailing(bad, silent, { policy: 'ssh', host: 'web-1' }),
    ).rejects.toThrow(/notifications\.channels\.0/);
  });
});
