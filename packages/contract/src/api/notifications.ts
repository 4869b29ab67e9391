import { z } from 'zod';
import { pageOf, paging } from './common.js';

/**
 * What a notification rule listens for: a run finished (any outcome), failed (a session ended in
 * error or failed), recovered (the first success after a failure of the same job, or of the same
 * session and model for ad-hoc runs), a schedule's tick missed, a policy started failing on a host.
 */
export const NOTIFICATION_EVENTS = [
  'run.finished',
  'run.failed',
  'run.recovered',
  'schedule.missed',
  'policy.failing',
] as const;
export const notificationEvent = z.enum(NOTIFICATION_EVENTS);
export type NotificationEvent = z.infer<typeof notificationEvent>;

/** A secret taken at delivery from the credentials store (a password credential) or the environment. */
export const secretRef = z.union([
  z.object({ credential: z.string().min(1) }).strict(),
  z
    .object({ env: z.string().regex(/^[A-Z_][A-Z0-9_]*$/, 'an environment variable name') })
    .strict(),
]);
export type SecretRef = z.infer<typeof secretRef>;

const channelName = z
  .string()
  .regex(/^[a-z0-9][a-z0-9._-]*$/, 'lower-case letters, digits, ".", "_" and "-"');

/**
 * A place notifications go: a webhook (JSON body signed with HMAC-SHA256 of `secret` in the
 * `X-Minke-Signature: sha256=<hex>` header), e-mail over SMTP, or a Slack/Mattermost-compatible
 * incoming webhook (`chat`, whose URL is itself a secret and may come from the store).
 */
export const notificationChannel = z.discriminatedUnion('kind', [
  z
    .object({
      name: channelName,
      kind: z.literal('webhook'),
      url: z.url(),
      secret: secretRef.optional(),
    })
    .strict(),
  z
    .object({
      name: channelName,
      kind: z.literal('email'),
      host: z.string().min(1),
      port: z.number().int().min(1).max(65_535).optional(),
      /** Implicit TLS (port 465); otherwise STARTTLS when the server offers it. */
      secure: z.boolean().optional(),
      user: z.string().optional(),
      password: secretRef.optional(),
      from: z.string().min(3),
      to: z.array(z.string().min(3)).min(1),
    })
    .strict(),
  z
    .object({
      name: channelName,
      kind: z.literal('chat'),
      url: z.union([z.url(), secretRef]),
    })
    .strict(),
]);
export type NotificationChannel = z.infer<typeof notificationChannel>;
export const CHANNEL_KINDS = ['webhook', 'email', 'chat'] as const;

/**
 * A rule: on these events, tell this channel. Global rules sit in the project's config; a saved
 * job keeps its own rules (the same shape) for its runs.
 *
 * @example { on: ['run.failed', 'run.recovered'], channel: 'ops-mail' }
 */
export const notificationRule = z
  .object({
    on: z.array(notificationEvent).min(1),
    channel: channelName,
  })
  .strict();
export type NotificationRule = z.infer<typeof notificationRule>;

/** The `notifications` part of `minke.config.ts`. */
export const notificationSettings = z
  .object({
    channels: z.array(notificationChannel).default([]),
    rules: z.array(notificationRule).default([]),
    /** The web admin's address, for links in messages (e.g. https://minke.example.org). */
    baseUrl: z.url().optional(),
  })
  .strict();
export type NotificationSettings = z.input<typeof notificationSettings>;

/** A channel as the API lists it: where it goes, never its secrets. */
export const channelInfo = z.object({
  name: z.string(),
  kind: z.enum(CHANNEL_KINDS),
  /** Where it sends (a URL without its query, an SMTP host and recipients, "secret URL"). */
  target: z.string(),
  /** The global rules that use it. */
  on: z.array(notificationEvent),
});
export type ChannelInfo = z.infer<typeof channelInfo>;
export const channelList = z.object({ items: z.array(channelInfo) });

export const DELIVERY_STATES = ['pending', 'retrying', 'delivered', 'failed'] as const;
export const deliveryState = z.enum(DELIVERY_STATES);
export type DeliveryState = z.infer<typeof deliveryState>;

/** One notification to one channel, with its attempts. */
export const deliveryItem = z.object({
  id: z.number(),
  channel: z.string(),
  kind: z.enum(CHANNEL_KINDS),
  event: z.union([notificationEvent, z.literal('test')]),
  runId: z.number().nullable(),
  subject: z.string(),
  state: deliveryState,
  attempts: z.number(),
  /** The last attempt's error (an HTTP status, an SMTP answer, a refused connection). */
  lastError: z.string().nullable(),
  createdAt: z.string(),
  nextAttemptAt: z.string().nullable(),
  deliveredAt: z.string().nullable(),
});
export type DeliveryItem = z.infer<typeof deliveryItem>;

export const deliveryPage = pageOf(deliveryItem);
export type DeliveryPage = z.infer<typeof deliveryPage>;

export const deliveriesQuery = z.object({
  channel: z.string().optional(),
  run: z.coerce.number().int().positive().optional(),
  state: deliveryState.optional(),
  ...paging,
});
export type DeliveriesQuery = z.infer<typeof deliveriesQuery>;

/**
 * `GET /api/runs/:id/notifications`: what became of a finished run's notifications (none while
 * it runs). `lastError` only for superusers, null for others: it can name a webhook's address.
 */
export const runNotificationsReply = z.object({ items: z.array(deliveryItem) });
export type RunNotificationsReply = z.infer<typeof runNotificationsReply>;

/** `POST /api/notifications/channels/:name/test`: the test delivery queued. */
export const testDeliveryReply = z.object({ delivery: deliveryItem });
