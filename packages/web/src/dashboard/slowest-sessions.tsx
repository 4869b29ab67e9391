import type { SlowSession } from '@minke/contract';
import { LinkList } from './link-list.js';
import { filteredList } from './use-api.js';

function seconds(ms: number): string {
  return ms >= 60_000 ? `${(ms / 60_000).toFixed(1)} min` : `${(ms / 1000).toFixed(1)} s`;
}

/** The sessions whose slowest run this week took longest; each opens them in the history. */
export function SlowestSessions({
  sessions,
  since,
}: {
  sessions: readonly SlowSession[];
  since: string;
}) {
  return (
    <LinkList
      items={sessions.map((session) => ({
        key: session.session,
        to: filteredList('session-records', { session: session.session, since }),
        primary: session.verboseName,
        secondary: `${session.session} · slowest ${seconds(session.slowestMs)} · average ${seconds(session.averageMs)} · ${session.runs} runs`,
      }))}
      empty="No finished sessions this week."
      testId="slow-session"
    />
  );
}
