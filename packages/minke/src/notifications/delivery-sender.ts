import { randomUUID } from 'node:crypto';
import type { Logger } from '../logger.js';
import type { CredentialPasswords } from './channel-secret.js';
import { deliver } from './deliver.js';
import type { DeliveryStore } from './delivery-store.js';
import type { NotificationMessage } from './notification-message.js';
import type { Notifications } from './notification-settings.js';

export interface DeliverySenderOptions {
  store: DeliveryStore;
  settings: Notifications;
  passwords: CredentialPasswords;
  logger: Logger;
  /** How often the log is read for due deliveries (default 1 s). */
  intervalMs?: number;
  /** The first retry's wait; each next one doubles it (default 5 s: 5, 10, 20, 40 s...). */
  retryBaseMs?: number;
  /** Attempts before a delivery is given up (default 6). */
  maxAttempts?: number;
  /** Only the deliveries of this run (the CLI that ran it), not the whole log. */
  runId?: number;
}

/**
 * Sends what the delivery log says is due, in every server process: an attempt is claimed in the
 * database first (one sender per delivery across servers), a failure is written to the log with
 * its error and retried with exponential back-off, and after the last attempt the delivery is
 * `failed` — visible in the API and the web admin, never a failure of the run it is about. The
 * log is the queue, so retries survive a restart of every process.
 */
export class DeliverySender {
  private readonly owner = `notify-${process.pid}-${randomUUID()}`;
  private readonly timer: NodeJS.Timeout;
  private running: Promise<void> | undefined;
  private closed = false;

  constructor(private readonly options: DeliverySenderOptions) {
    this.timer = setInterval(() => this.kick(), options.intervalMs ?? 1000);
    this.timer.unref();
  }

  /** Sends what is due now, unless a pass is under way. */
  kick(): void {
    if (this.running || this.closed) return;
    this.running = this.pass()
      .catch((error: unknown) =>
        this.options.logger.warn({ err: error }, 'notifications: could not read the delivery log'),
      )
      .finally(() => (this.running = undefined));
  }

  /** One pass now, awaited (the CLI sends a test this way, without a server). */
  async sendNow(): Promise<void> {
    await this.running;
    await this.pass();
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.timer);
    await this.running;
  }

  private async pass(): Promise<void> {
    const { store, settings, passwords, logger } = this.options;
    const maxAttempts = this.options.maxAttempts ?? 6;
    const base = this.options.retryBaseMs ?? 5000;
    const due = await store.claimDue(this.owner, 20, 60_000, this.options.runId);
    await Promise.all(
      due.map(async (delivery) => {
        const attempts = delivery.attempts + 1;
        const channel = settings.channels.get(delivery.channel);
        try {
          if (!channel)
            throw new Error(`no channel named ${delivery.channel} in the config any more`);
          await deliver(
            channel,
            delivery.payload as unknown as NotificationMessage,
            { deliveryId: delivery.id },
            passwords,
          );
          await store.delivered(delivery.id, attempts);
        } catch (error) {
          const reason = error instanceof Error ? error.message : String(error);
          const retryAt =
            channel && attempts < maxAttempts
              ? new Date(Date.now() + base * 2 ** (attempts - 1))
              : undefined;
          // The channel and the error, never the payload or a secret.
          logger.warn(
            { delivery: delivery.id, channel: delivery.channel, attempts, reason },
            retryAt ? 'notification not delivered; retried later' : 'notification given up',
          );
          await store.attemptFailed(delivery.id, attempts, reason, retryAt);
        }
      }),
    );
    if (due.length > 0 && !this.closed) setImmediate(() => this.kick());
  }
}
