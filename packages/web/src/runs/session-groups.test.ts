import { describe, expect, it } from 'vitest';
import type { SessionMeta } from '@minke/contract';
import { groupSessions } from './session-groups.js';

const session = (name: string, group: string | null, models = ['Server']): SessionMeta => ({
  name,
  verboseName: name,
  group,
  description: null,
  models,
  confirm: false,
  parallelPerHost: false,
  timeoutMs: null,
  permissions: [],
  runPermission: null,
  form: null,
});

describe('groupSessions', () => {
  it('puts ungrouped sessions first, then groups in registry order', () => {
    const groups = groupSessions(
      [
        session('ServerInfo', 'Info'),
        session('RunCommand', 'Admin'),
        session('AppFiles', null, ['App']),
        session('Plain', null),
        session('DiskUsage', 'Info'),
      ],
      'Server',
    );
    expect(groups.map((g) => [g.name, g.sessions.map((s) => s.name)])).toEqual([
      [null, ['Plain']],
      ['Info', ['ServerInfo', 'DiskUsage']],
      ['Admin', ['RunCommand']],
    ]);
  });
  it('returns nothing when nothing may run', () => {
    expect(groupSessions([], 'Server')).toEqual([]);
  });
});
