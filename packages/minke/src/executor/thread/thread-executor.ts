import { randomUUID } from 'node:crypto';
import {
  MessageChannel,
  receiveMessageOnPort,
  type MessagePort,
  type Worker,
} from 'node:worker_threads';
import { currentAuditActor } from '../../audit/audit-context.js';
import type { EventBus } from '../../events/event-bus.js';
import type { Logger } from '../../logger.js';
import { addCounts } from '../../metrics/process-counts.js';
import type { RunJournal } from '../../runs/run-journal.js';
import type { Executor, RunPlan, StopOutcome } from '../executor.js';
import { threadPlanOf, type FromSessionThread, type ToSessionThread } from './thread-messages.js';

export interface ThreadExecutorOptions {
  /**
   * Starts a session thread whose executor holds runs as `owner` (`minke_executor_owners`),
   * talking through `port` (transferred to it) both ways.
   */
  start(owner: string, port: MessagePort): Worker;
  /** Stops are written here, on the server's thread; the session thread acts on them. */
  journal: RunJournal;
  /** The server's bus: the session thread's events are published on it. */
  bus: EventBus;
  logger: Logger;
  /**
   * After a thread ended without being asked: its runs are stamped with its owner (a run it had
   * not taken yet too) and the owner's row is deleted, so the next thread's reaper ends them at
   * its first look ("worker lost") instead of after the lease.
   */
  threadGone(owner: string, runIds: readonly number[]): Promise<void>;
  /** Wait before starting a thread again; doubled after each thread that ended, up to 30 s. */
  restartDelayMs?: number;
  /** How long `close` waits for the thread to end by itself before terminating it. */
  closeTimeoutMs?: number;
  /**
   * A thread that has not answered a ping for this long is terminated (its sessions end "worker
   * lost" and a new thread takes the next runs): a session that never yields (a loop without an
   * `await`) holds the thread's event loop, and with it every session, stop and time limit there.
   */
  stallMs?: number;
}

interface SessionThread {
  worker: Worker;
  /** This side of the thread's channel: its messages come here, ours go from here. */
  port: MessagePort;
  /** Handles one message of the thread's. */
  receive: (message: FromSessionThread) => void;
  owner: string;
  /** Runs handed to it and not seen finished. */
  runs: Set<number>;
  exited: boolean;
  /** The watchdog's timer, and when its unanswered ping was sent (undefined: none waits). */
  watchdog?: NodeJS.Timeout;
  pingSentAt?: number;
}

const MAX_RESTART_DELAY_MS = 30_000;
/** Messages `takeEvents` handles in one call at the most. */
const MOST_TAKEN_AT_ONCE = 1000;

/**
 * Runs sessions in a worker thread of this process (the in-process executor, over there), so the
 * SSH work of a large run (ssh2's packets, signatures, the writes to a thousand sockets) stays off
 * the event loop that answers the API, the web admin and the event stream. The thread opens the
 * same project (its own database connection: SQLite in WAL mode takes both); its events come back
 * through a channel of their own (a message per callback that published) and are published here,
 * as they arrive and before each API request (`takeEvents`). A thread that dies (a session's
 * stray exception, out of memory) leaves the server serving: its sessions end "worker lost" and a
 * new thread takes the next runs.
 */
export class ThreadExecutor implements Executor {
  readonly takesRunTimeConnection = true;
  /** The thread that takes runs, once it is ready; undefined once closed. */
  private thread: Promise<SessionThread | undefined>;
  /** The thread that is up now, if any. */
  private running: SessionThread | undefined;
  private chain: Promise<unknown> = Promise.resolve();
  private readonly calls = new Map<number, () => void>();
  private nextCall = 1;
  private closing = false;
  private restartDelayMs: number;

  constructor(private readonly options: ThreadExecutorOptions) {
    this.restartDelayMs = this.firstDelayMs;
    this.thread = this.started();
  }

  submit(plan: RunPlan): void {
    // The requester is known here (the API request's context), not in the thread.
    const actor = currentAuditActor();
    this.chain = this.chain
      .then(async () => {
        const requester = await actor;
        const thread = await this.thread;
        if (!thread) throw new Error(`run ${plan.runId} came after the executor closed`);
        // In the same turn as the send: a thread that ends from now on has the run in its list.
        thread.runs.add(plan.runId);
        this.send(thread, { type: 'submit', plan: threadPlanOf(plan), actor: requester });
      })
      .catch((error: unknown) =>
        this.options.logger.error(
          { err: error, runId: plan.runId },
          'a run could not be submitted',
        ),
      );
  }

  async stop(recordId: number): Promise<StopOutcome> {
    const outcome = await this.options.journal.stopRequested(recordId);
    // No thread now (one died, the next is not up): nothing of this record runs to abort.
    if (this.running) this.send(this.running, { type: 'abort', recordId, outcome });
    return outcome;
  }

  async idle(): Promise<void> {
    await this.chain;
    const thread = await this.thread;
    if (thread) await this.ask(thread, (call) => ({ type: 'idle', call }));
  }

  async close(): Promise<void> {
    this.closing = true;
    await this.chain;
    const thread = await this.thread;
    this.thread = Promise.resolve(undefined);
    if (!thread) return;
    const ended = thread.exited
      ? Promise.resolve()
      : new Promise<void>((resolve) => thread.worker.once('exit', () => resolve()));
    const timeout = setTimeout(() => {
      this.options.logger.warn({}, 'the session thread did not end in time: terminating it');
      void thread.worker.terminate();
    }, this.options.closeTimeoutMs ?? 60_000);
    try {
      await this.ask(thread, (call) => ({ type: 'close', call }));
      await ended;
    } finally {
      clearTimeout(timeout);
    }
  }

  /**
   * The thread's messages that wait in the channel, handled now: the server's event loop takes
   * them in turn with the sockets that are ready, and a burst of 50 API requests (one uninterrupted
   * stretch each: SQLite answers synchronously) held them for the whole burst. Called between
   * requests, it delivers the events within one request's time. Bounded, should the thread keep
   * sending.
   */
  takeEvents(): void {
    if (this.running) this.drain(this.running, MOST_TAKEN_AT_ONCE);
  }

  private drain(thread: SessionThread, most: number): void {
    for (let taken = 0; taken < most; taken++) {
      const waiting = receiveMessageOnPort(thread.port);
      if (!waiting) return;
      thread.receive(waiting.message as FromSessionThread);
    }
  }

  private send(thread: SessionThread, message: ToSessionThread): void {
    thread.port.postMessage(message);
  }

  /** Sends a message that the thread answers with `done` (or ends without answering). */
  private ask(thread: SessionThread, message: (call: number) => ToSessionThread): Promise<void> {
    const call = this.nextCall++;
    const answered = new Promise<void>((resolve) => this.calls.set(call, resolve));
    this.send(thread, message(call));
    return answered;
  }

  /** A thread ready to take runs; started again (after a wait) until one is, unless closing. */
  private async started(): Promise<SessionThread | undefined> {
    for (;;) {
      if (this.closing) return undefined;
      const thread = await this.startOne().catch((error: unknown) => {
        this.options.logger.error({ err: error }, 'the session thread could not start');
        return undefined;
      });
      if (thread) return thread;
      await this.pause();
    }
  }

  private get firstDelayMs(): number {
    return this.options.restartDelayMs ?? 1000;
  }

  private async pause(): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve, this.restartDelayMs));
    this.restartDelayMs = Math.min(this.restartDelayMs * 2, MAX_RESTART_DELAY_MS);
  }

  private startOne(): Promise<SessionThread> {
    const owner = `minke-${process.pid}-thread-${randomUUID()}`;
    const channel = new MessageChannel();
    return new Promise((resolve, reject) => {
      let ready = false;
      const thread: SessionThread = {
        worker: this.options.start(owner, channel.port2),
        port: channel.port1,
        receive: (message) => {
          if (message.type === 'ready') {
            ready = true;
            this.running = thread;
            this.restartDelayMs = this.firstDelayMs;
            this.watch(thread);
            resolve(thread);
          } else if (message.type === 'failed') reject(new Error(message.message));
          else if (message.type === 'events') this.publish(thread, message);
          else this.answered(message.call);
        },
        owner,
        runs: new Set(),
        exited: false,
      };
      thread.port.on('message', thread.receive);
      thread.worker.on('error', (error) => {
        this.options.logger.error(
          { err: error },
          'the session thread failed: an exception nothing caught (in session code, a stray timer or callback?)',
        );
        if (!ready) reject(error);
      });
      thread.worker.once('exit', (code) => {
        clearInterval(thread.watchdog);
        // What it said last may still wait in the channel ('exit' does not wait for it); the
        // channel gets nothing more, so what is in it is all there is.
        this.drain(thread, Number.MAX_SAFE_INTEGER);
        thread.port.close();
        thread.exited = true;
        if (!ready)
          reject(new Error(`the session thread ended (exit code ${code}) before it was ready`));
        else this.ended(thread, code);
      });
    });
  }

  /**
   * Pings the thread every quarter of `stallMs`; one that has not answered for `stallMs` (its
   * answer not waiting in the channel either, should this thread have been busy) is terminated.
   */
  private watch(thread: SessionThread): void {
    const stallMs = this.options.stallMs;
    if (stallMs === undefined) return;
    thread.watchdog = setInterval(
      () => {
        if (thread.pingSentAt === undefined) return this.ping(thread);
        const silentMs = Date.now() - thread.pingSentAt;
        if (silentMs < stallMs || this.closing) return;
        // Its answer may wait in the channel, should this thread have been the busy one.
        this.drain(thread, MOST_TAKEN_AT_ONCE);
        if (thread.pingSentAt === undefined) return;
        clearInterval(thread.watchdog);
        this.options.logger.error(
          { runs: [...thread.runs], seconds: silentMs / 1000 },
          `the session thread has not answered for ${Math.round(silentMs / 1000)} s: a session that never yields (a loop without an await?) holds it; terminating it`,
        );
        void thread.worker.terminate();
      },
      Math.max(50, Math.floor(stallMs / 4)),
    );
    thread.watchdog.unref();
  }

  /** Sends a ping whose answer clears `pingSentAt` as it is handled (not a turn later). */
  private ping(thread: SessionThread): void {
    const call = this.nextCall++;
    thread.pingSentAt = Date.now();
    this.calls.set(call, () => {
      thread.pingSentAt = undefined;
    });
    this.send(thread, { type: 'ping', call });
  }

  private publish(thread: SessionThread, message: SessionThreadEvents): void {
    addCounts(message.counts);
    for (const event of message.events) {
      if (event.type === 'run.finished') thread.runs.delete(event.runId);
      this.options.bus.publish(event);
    }
  }

  private answered(call: number): void {
    this.calls.get(call)?.();
    this.calls.delete(call);
  }

  /** A thread that ended: waits end; unasked, its runs end "worker lost" and another starts. */
  private ended(thread: SessionThread, code: number): void {
    if (this.running === thread) this.running = undefined;
    for (const call of [...this.calls.keys()]) this.answered(call);
    if (this.closing) return;
    const runs = [...thread.runs];
    this.options.logger.error(
      { code, runs },
      `the session thread ended (exit code ${code}); its sessions end "worker lost", and a new thread takes the next runs`,
    );
    this.thread = this.options
      .threadGone(thread.owner, runs)
      .catch((error: unknown) =>
        this.options.logger.error({ err: error }, 'could not end the lost thread’s runs'),
      )
      .then(() => this.pause())
      .then(() => this.started());
  }
}

type SessionThreadEvents = Extract<FromSessionThread, { type: 'events' }>;
