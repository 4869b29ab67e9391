import {
  isDone,
  type DeliveredEvent,
  type DeliveryItem,
  type RunDetail,
  type RunNotificationsReply,
  type SessionRecordDetail,
  type SessionRecordItem,
  type StartedRun,
  type RerunBody,
  type StartRunBody,
} from '@minke/contract';
import type { Out } from '../output.js';
import { exitCodeOf } from '../run-outcome.js';
import { recordEvents } from '../record-events.js';
import { RunPrinter } from '../run-printer.js';
import { RemoteError, type ApiClient } from './api-client.js';
import { serverSentEvents } from './sse-reader.js';
import { stopsOnInterrupt } from '../interrupt-stops.js';
import { afterFirstAttempts, deliveryLines } from '../../notifications/delivery-lines.js';

/** What `POST /api/runs` takes (the CLI always sends the form's data). */
export type RemoteRunRequest = StartRunBody & { data: Record<string, unknown> };

/** How a run is started on the server: `POST /api/runs`, or a re-run of an earlier run. */
export type RemoteRunStart =
  | { path: '/api/runs'; body: RemoteRunRequest; session: string }
  | { path: `/api/runs/${number}/rerun`; body: RerunBody; session: string };

/** The longest a run is followed; then the CLI gives up waiting (the run goes on). */
const MAX_FOLLOW_MS = 24 * 3600_000;
/** Stream reconnections in a row before falling back to polling. */
const MAX_RECONNECTS = 5;
const RECONNECT_DELAY_MS = 1000;
const POLL_INTERVAL_MS = 1000;
/** Polls in a row that may fail (the server restarting) before the CLI gives up. */
const MAX_POLL_FAILURES = 30;

/**
 * `minke run --server URL` and `minke runs rerun --server URL`: starts the run through the API
 * (the token's user and permissions),
 * prints each session's outcome as it finishes, following the run's event stream, or polling
 * `GET /api/runs/ID` when the stream cannot say (events no longer held, connection lost). Ctrl-C
 * asks the server to stop the run; twice kills. Returns the exit code: 1 if a session ended in error.
 */
export async function runRemotely(
  client: ApiClient,
  start: RemoteRunStart,
  options: {
    json: boolean;
    out: Out;
    stream: NodeJS.WriteStream;
    /** A first line about the started run (its number, what it is), without --json. */
    heading?: (runId: number, objects: number) => string;
  },
): Promise<number> {
  // Ctrl-C asks the server to stop the run (once: stop, twice: kill), also while it starts.
  const interrupts = stopsOnInterrupt((runId) => client.post(`/api/runs/${runId}/stop`));
  let started: StartedRun;
  let printer: RunPrinter | undefined;
  let detail: RunDetail;
  try {
    started = await client.post<StartedRun>(start.path, start.body).catch((error: unknown) => {
      if (error instanceof RemoteError && error.status === 403)
        throw new RemoteError(
          `you may not run session ${start.session} (${error.message})`,
          403,
          error.code,
        );
      throw error;
    });
    interrupts.watch(started.id);
    if (options.heading && !options.json)
      options.out.line(options.heading(started.id, started.records.length));
    printer = options.json
      ? undefined
      : new RunPrinter(options.out, options.stream, started.records.length);
    detail = await new RunFollower(client, started.id, printer).follow();
  } finally {
    interrupts.dispose();
  }
  const notifications = await notificationsOf(client, started.id);
  if (options.json) {
    options.out.json({
      runId: started.id,
      session: started.session,
      model: started.model,
      summary: detail.summary,
      records: detail.sessions,
      notifications,
    });
  } else {
    printer?.summary(detail.summary);
    for (const line of deliveryLines(notifications)) options.out.line(line);
  }
  return exitCodeOf(detail.summary);
}

/** The session as the server describes it (undefined when it is not in the caller's catalog). */
export async function catalogEntry(
  client: { get<T>(path: string): Promise<T> },
  session: string,
): Promise<{ form: unknown; verboseName: string; confirm: boolean } | undefined> {
  const catalog =
    await client.get<{ name: string; form: unknown; verboseName: string; confirm: boolean }[]>(
      '/api/sessions',
    );
  // Not there: unknown, or not the caller's to run; the server says which when the run is asked.
  return catalog.find((entry) => entry.name === session);
}

/**
 * What became of the finished run's notifications, once each has had its first attempt. A server
 * that cannot say (an older one, gone since) leaves them out: they never change the run's
 * outcome or exit code.
 */
async function notificationsOf(client: ApiClient, runId: number): Promise<DeliveryItem[]> {
  const read = async () =>
    (await client.get<RunNotificationsReply>(`/api/runs/${runId}/notifications`)).items;
  return afterFirstAttempts(read).catch(() => []);
}

/**
 * Follows one run to its end and hands each session's messages and outcome to the printer once:
 * from the event stream while it flows, from the run's state (and each record's messages) for
 * whatever the stream missed.
 */
class RunFollower {
  private readonly printed = new Set<number>();
  /** The highest event number applied: events at or below it are replays, skipped. */
  private lastSeq = 0;
  /** The server's last `id:` watermark (everything up to it was written): where a resume starts. */
  private resumeFrom = 0;
  private readonly deadline = Date.now() + MAX_FOLLOW_MS;

  constructor(
    private readonly client: ApiClient,
    private readonly runId: number,
    private readonly printer: RunPrinter | undefined,
  ) {}

  /** Resolves with the finished run, every session printed. */
  async follow(): Promise<RunDetail> {
    await this.followStream();
    return this.poll();
  }

  /** Returns when the run has finished or the stream cannot tell (then polling takes over). */
  private async followStream(): Promise<void> {
    for (let failures = 0; failures <= MAX_RECONNECTS && Date.now() < this.deadline;) {
      try {
        const outcome = await this.readStream();
        if (outcome !== 'ended') return;
        failures = 0; // the server closed a stream that worked: reconnect and resume
      } catch (error) {
        // Refusals are final; a lost connection is worth another try.
        if (error instanceof RemoteError && error.status >= 400) throw error;
        failures++;
      }
      await sleep(RECONNECT_DELAY_MS);
    }
  }

  private async readStream(): Promise<'finished' | 'reset' | 'ended'> {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), Math.max(0, this.deadline - Date.now()));
    try {
      // since=0 replays what the server holds of the run: nothing between start and connect is lost.
      const response = await this.client.open(
        `/api/events?run=${this.runId}&since=${this.resumeFrom}`,
        controller.signal,
      );
      if (!response.body) return 'ended';
      for await (const message of serverSentEvents(response.body)) {
        if (message.event === 'reset') return 'reset';
        const event = JSON.parse(message.data) as DeliveredEvent;
        const seen = event.seq <= this.lastSeq || event.runId !== this.runId;
        if (!seen) {
          this.lastSeq = event.seq;
          this.handle(event);
        }
        // Only a watermark says that every event before it was written: a stream cut in the
        // middle of a flush resumes from the flush before, and what comes twice is skipped.
        if (message.id !== undefined && /^\d+$/.test(message.id))
          this.resumeFrom = Math.max(this.resumeFrom, Number(message.id));
        if (seen) continue;
        if (event.type === 'run.finished') return 'finished';
      }
      return 'ended';
    } finally {
      clearTimeout(timer);
      controller.abort();
    }
  }

  private handle(event: DeliveredEvent): void {
    if (event.type === 'session.finished') {
      if (this.printed.has(event.recordId)) return;
      this.printed.add(event.recordId);
    }
    this.printer?.handle(event);
  }

  /** Reads the run until it has finished, printing the sessions the stream did not. */
  private async poll(): Promise<RunDetail> {
    for (let failures = 0; Date.now() < this.deadline;) {
      let detail: RunDetail;
      try {
        detail = await this.client.get<RunDetail>(`/api/runs/${this.runId}`);
        failures = 0;
      } catch (error) {
        if ((error instanceof RemoteError && error.status >= 400) || ++failures > MAX_POLL_FAILURES)
          throw error;
        await sleep(POLL_INTERVAL_MS);
        continue;
      }
      for (const session of detail.sessions) {
        if (isDone(session.processState) && !this.printed.has(session.id))
          await this.printFromRecord(session);
      }
      if (detail.state === 'finished') return detail;
      await sleep(POLL_INTERVAL_MS);
    }
    throw new Error(
      `run ${this.runId} has not finished after ${MAX_FOLLOW_MS / 3600_000} hours: stopped waiting (it goes on)`,
    );
  }

  private async printFromRecord(session: SessionRecordItem): Promise<void> {
    this.printed.add(session.id);
    if (!this.printer) return;
    const record = await this.client.get<SessionRecordDetail>(`/api/session-records/${session.id}`);
    this.printer.discardMessages(session.id); // the stream may have brought some of them
    for (const event of recordEvents(this.runId, record)) this.printer.handle(event);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
