import { mayOnModel } from '../auth/access.js';
import type { DeliveredEvent } from '../events/run-events.js';
import { HOST_MODEL } from '../model/host-model.js';
import type { RunUser } from '../auth/run-user.js';
import type { SessionRecordDetail, SessionRecordItem } from '../runs/history.js';
import { hideTransportTarget } from '../transport/transport-error.js';

/** What a host's name reads as for people who may not view hosts. */
export const HIDDEN_HOST = '(hidden host)';

/** Whether the user may see host names: the view permission on hosts (superusers always). */
export function mayViewHosts(user: RunUser): boolean {
  return mayOnModel(user, 'view', HOST_MODEL);
}

/**
 * A message's text without the host it ran on: a connection error's target (its name, or its
 * user@address:port) and any mention of the host's name as a whole word.
 */
export function hideHostInText(text: string, hostName: string | null | undefined): string {
  const hidden = hideTransportTarget(text, HIDDEN_HOST);
  if (!hostName) return hidden;
  const escaped = hostName.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return hidden.replace(
    new RegExp(`(?<![A-Za-z0-9.-])${escaped}(?![A-Za-z0-9-]|\\.[A-Za-z0-9])`, 'g'),
    HIDDEN_HOST,
  );
}

/** A history row as a user who may not view hosts sees it, as the run detail does. */
export function hideHostInItem<T extends SessionRecordItem>(item: T): T {
  return { ...item, hostName: null };
}

export function hideHostInDetail(detail: SessionRecordDetail): SessionRecordDetail {
  return {
    ...hideHostInItem(detail),
    messages: detail.messages.map((m) => ({ ...m, text: hideHostInText(m.text, detail.hostName) })),
  };
}

/**
 * Run events for a user who may not view hosts. `hostOf` gives a session record's host (the
 * stream learns it from the record's state events before its messages).
 */
export function hideHostInEvent(
  event: DeliveredEvent,
  hostOf: (recordId: number) => string | null | undefined,
): DeliveredEvent {
  switch (event.type) {
    case 'session.state':
    case 'session.finished':
      return { ...event, hostName: null };
    case 'message.added':
      return { ...event, text: hideHostInText(event.text, hostOf(event.recordId)) };
    default:
      return event;
  }
}
