import type { NotificationEvent, RunSummary } from '@minke/contract';

/** An object of a run that did not end well, for the message. */
export interface FailedObject {
  objectLabel: string;
  hostName: string | null;
  processState: string;
  /** The session's last error message, if any. */
  message: string | null;
}

/** What every channel is told: the webhook's JSON body is exactly this. */
export interface NotificationMessage {
  event: NotificationEvent | 'test';
  subject: string;
  /** One paragraph in plain text. */
  text: string;
  at: string;
  run?: {
    id: number;
    session: string;
    model: string;
    job: string | null;
    summary: RunSummary;
    /** Sessions by how they ended: stopped and canceled ones are not failures. */
    counts: { all: number; success: number; warning: number; failed: number; notRun: number };
    failed: FailedObject[];
    url: string | null;
  };
  /** Extra facts of the event (the missed schedule's time, the policy and host). */
  details?: Record<string, unknown>;
}

const WORDS: Record<NotificationEvent | 'test', string> = {
  'run.finished': 'finished',
  'run.failed': 'failed',
  'run.recovered': 'recovered',
  'schedule.missed': 'schedule missed',
  'policy.failing': 'policy failing',
  test: 'test',
};

/** A run's message: "Minke: Deploy on Server failed (3 of 20 in error)". */
export function runMessage(
  event: NotificationEvent,
  run: NonNullable<NotificationMessage['run']>,
): NotificationMessage {
  const name = run.job ?? `${run.session} on ${run.model}`;
  const { all, success, warning, failed, notRun } = run.counts;
  const counts =
    [
      `${success} success`,
      ...(warning > 0 ? [`${warning} warning`] : []),
      `${failed} failed`,
      ...(notRun > 0 ? [`${notRun} stopped or canceled`] : []),
    ].join(', ') + ` of ${all}`;
  return {
    event,
    subject: `Minke: ${name} ${WORDS[event]} (run ${run.id}: ${counts})`,
    text: `Run ${run.id} of ${name} ${WORDS[event]}: ${counts}.${run.failed.length > 0 ? ` Not ended well: ${run.failed.map((f) => f.objectLabel).join(', ')}.` : ''}`,
    at: new Date().toISOString(),
    run,
  };
}

/** Escapes text for HTML (labels and messages come from users and hosts). */
function escape(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );
}

/** The e-mail body: a short summary, the objects that did not end well, a link to the run. */
export function htmlOf(message: NotificationMessage): string {
  const parts = [`<p>${escape(message.text)}</p>`];
  const run = message.run;
  if (run && run.failed.length > 0) {
    const rows = run.failed
      .slice(0, 100)
      .map(
        (f) =>
          `<tr><td>${escape(f.objectLabel)}</td><td>${escape(f.hostName ?? '')}</td><td>${escape(f.processState)}</td><td>${escape(f.message ?? '')}</td></tr>`,
      )
      .join('');
    parts.push(
      `<table border="1" cellpadding="4"><tr><th>object</th><th>host</th><th>state</th><th>message</th></tr>${rows}</table>`,
    );
    if (run.failed.length > 100) parts.push(`<p>… and ${run.failed.length - 100} more</p>`);
  }
  if (run?.url) parts.push(`<p><a href="${escape(run.url)}">Open run ${run.id}</a></p>`);
  if (message.details) parts.push(`<pre>${escape(JSON.stringify(message.details, null, 2))}</pre>`);
  return `<!doctype html><html><body>${parts.join('\n')}</body></html>`;
}

/** A chat message (Slack and Mattermost incoming webhooks read `text`, with their markdown). */
export function chatTextOf(message: NotificationMessage): string {
  const link = message.run?.url ? ` <${message.run.url}|open run ${message.run.id}>` : '';
  const failed = message.run?.failed.slice(0, 20).map((f) => `• ${f.objectLabel}`) ?? [];
  return [`*${message.subject}*${link}`, ...failed].join('\n');
}
