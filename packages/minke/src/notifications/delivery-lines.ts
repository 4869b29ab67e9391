import type { DeliveryItem } from '@minke/contract';

/**
 * What became of a run's notifications, a line each, for the CLI that ran it or followed it
 * through a server. A delivery read without its error (not a superuser) says where to look.
 */
export function deliveryLines(deliveries: readonly DeliveryItem[]): string[] {
  return deliveries.map((delivery) => {
    const to = `${delivery.channel} (${delivery.event})`;
    const why = delivery.lastError ?? 'a superuser sees why in `minke notifications deliveries`';
    if (delivery.state === 'delivered') return `notified ${to}`;
    if (delivery.state === 'failed') return `notification to ${to} failed: ${why}`;
    if (delivery.state === 'retrying')
      return `notification to ${to} not delivered: ${why}; a server (minke start or serve) tries it again from the delivery log`;
    return `notification to ${to} queued for a server to send`;
  });
}

/** How long a CLI waits for a delivery's first attempt (one takes at most about 20 s). */
const FIRST_ATTEMPT_WAIT_MS = 25_000;

/**
 * A run's deliveries once each has had its first attempt (read again every 250 ms while one is
 * pending, 25 s at most), so that what a CLI prints is what happened.
 */
export async function afterFirstAttempts(
  read: () => Promise<DeliveryItem[]>,
): Promise<DeliveryItem[]> {
  const deadline = Date.now() + FIRST_ATTEMPT_WAIT_MS;
  for (;;) {
    const items = await read();
    if (Date.now() > deadline || items.every((item) => item.state !== 'pending')) return items;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
