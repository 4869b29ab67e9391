import type { EventBus } from '../events/event-bus.js';
import type { SessionMessage } from '../session/messages.js';
import type { RunStore } from './run-store.js';

/** Stores a message of a session record and tells the bus, so live views show it at once. */
export async function addRecordMessage(
  runs: RunStore,
  bus: EventBus,
  ids: { runId: number; recordId: number },
  message: SessionMessage,
): Promise<void> {
  await runs.recordMessage(ids.recordId, message);
  const { level, kind, text } = message;
  bus.publish({ type: 'message.added', ...ids, level, kind, text, at: new Date().toISOString() });
}
