import type { DeliveredEvent, SessionRecordDetail } from '@minke/contract';

/**
 * The events that tell a finished session as the event bus would have: its messages, then its
 * end. `minke run` prints them when it learns of a session from its record instead of the bus
 * (a stream that dropped it, a bus that was away).
 */
export function recordEvents(runId: number, record: SessionRecordDetail): DeliveredEvent[] {
  const base = { runId, recordId: record.id, seq: 0 };
  return [
    ...record.messages.map((message): DeliveredEvent => ({
      ...base,
      type: 'message.added',
      level: message.level,
      kind: message.kind,
      text: message.text,
      at: message.createdAt,
    })),
    {
      ...base,
      type: 'session.finished',
      objectId: record.objectId,
      objectLabel: record.objectLabel,
      hostName: record.hostName,
      processState: record.processState,
      result: record.result,
      durationMs: record.durationMs,
      at: record.finishedAt ?? record.createdAt,
    },
  ];
}
