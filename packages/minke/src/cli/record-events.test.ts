import { describe, expect, it } from 'vitest';
import type { SessionRecordDetail } from '@minke/contract';
import { recordEvents } from './record-events.js';

const record = {
  id: 7,
  objectId: 3,
  objectLabel: 'web-1',
  hostName: 'web-1',
  processState: 'completed',
  result: 'warning',
  durationMs: 1200,
  createdAt: '2026-01-31T12:00:00.000Z',
  finishedAt: '2026-01-31T12:00:01.200Z',
  messages: [
    { level: 'info', kind: 'text', text: 'hello', createdAt: '2026-01-31T12:00:00.500Z' },
    { level: 'warning', kind: 'text', text: 'careful', createdAt: '2026-01-31T12:00:01.000Z' },
  ],
} as unknown as SessionRecordDetail;

describe('recordEvents', () => {
  it('tells a finished record as the bus would: its messages in order, then its end', () => {
    const events = recordEvents(5, record);
    expect(events.map((e) => e.type)).toEqual([
      'message.added',
      'message.added',
      'session.finished',
    ]);
    expect(events[1]).toMatchObject({ runId: 5, recordId: 7, text: 'careful', level: 'warning' });
    expect(events[2]).toMatchObject({
      objectLabel: 'web-1',
      processState: 'completed',
      result: 'warning',
      durationMs: 1200,
      at: '2026-01-31T12:00:01.200Z',
    });
  });

  it('dates the end of a record that never finished by its creation', () => {
    const events = recordEvents(5, { ...record, messages: [], finishedAt: null });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ at: '2026-01-31T12:00:00.000Z' });
  });
});
