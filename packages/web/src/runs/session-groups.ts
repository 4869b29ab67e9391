import type { SessionMeta } from '@minke/contract';

export interface SessionGroup {
  /** null: sessions without a group, listed first as the original did. */
  name: string | null;
  sessions: SessionMeta[];
}

/**
 * Sessions for the picker: only those the user may run on `model` (the server already filters
 * by permission; the model check guards against a stale cache), ungrouped first, then each group
 * in the order its first session appears (the registry's order).
 */
export function groupSessions(sessions: readonly SessionMeta[], model?: string): SessionGroup[] {
  const groups = new Map<string | null, SessionMeta[]>([[null, []]]);
  for (const session of sessions) {
    if (model && session.models.length > 0 && !session.models.includes(model)) continue;
    const key = session.group ?? null;
    const list = groups.get(key) ?? [];
    list.push(session);
    groups.set(key, list);
  }
  return [...groups.entries()]
    .filter(([, list]) => list.length > 0)
    .map(([name, list]) => ({ name, sessions: list }));
}
