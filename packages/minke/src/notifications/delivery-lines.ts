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
