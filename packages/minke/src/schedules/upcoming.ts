import type { UpcomingTicks } from '@minke/contract';
import { JobStore } from '../jobs/job-store.js';
import type { DatabaseHandle } from '../store/transaction.js';
import { cronFor } from '../jobs/cron-times.js';

/** At most this many coming ticks are listed (a schedule of every second fills a day fast). */
const MAX_TICKS = 500;

/** The coming ticks of every enabled schedule within `hours`, soonest first ("what runs tonight"). */
export async function upcomingTicksOf(
  database: DatabaseHandle,
  hours: number,
  now: Date = new Date(),
): Promise<UpcomingTicks> {
  const until = now.getTime() + hours * 3600_000;
  const items: UpcomingTicks['items'] = [];
  let truncated = false;
  for (const job of await new JobStore(database).scheduled()) {
    if (!job.schedule) continue;
    let cron;
    try {
      cron = cronFor(job.schedule);
    } catch {
      continue;
    }
    let cursor = cron.nextRun(now);
    let taken = 0;
    while (cursor !== null && cursor.getTime() <= until) {
      if (taken++ >= MAX_TICKS) {
        truncated = true;
        break;
      }
      items.push({ jobId: job.id, job: job.name, session: job.session, at: cursor.toISOString() });
      cursor = cron.nextRun(cursor);
    }
  }
  items.sort((a, b) => a.at.localeCompare(b.at) || a.job.localeCompare(b.job));
  if (items.length > MAX_TICKS) truncated = true;
  return { items: items.slice(0, MAX_TICKS), truncated };
}
