import {
  notificationSettings,
  type NotificationChannel,
  type NotificationRule,
} from '@minke/contract/api/notifications';
import { SetupError } from '../errors.js';

/** The project's channels by name and its global rules, checked. */
export interface Notifications {
  channels: ReadonlyMap<string, NotificationChannel>;
  rules: readonly NotificationRule[];
  baseUrl: string | undefined;
}

/**
 * Reads `notifications` of minke.config.ts: a mistake stops start-up naming the setting (a
 * channel without a name, an unknown event, a rule naming a channel that does not exist).
 */
export function notificationsOf(raw: unknown, configFile = 'minke.config.ts'): Notifications {
  const parsed = notificationSettings.safeParse(raw ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = ['notifications', ...(issue?.path ?? [])].join('.');
    throw new SetupError(`${configFile}: ${where}: ${issue?.message ?? 'invalid'}`);
  }
  const channels = new Map<string, NotificationChannel>();
  for (const channel of parsed.data.channels) {
    if (channels.has(channel.name))
      throw new SetupError(`${configFile}: notifications: two channels named ${channel.name}`);
    channels.set(channel.name, channel);
  }
  for (const [index, rule] of parsed.data.rules.entries())
    if (!channels.has(rule.channel))
      throw new SetupError(
        `${configFile}: notifications.rules.${index}: no channel named ${rule.channel} (known: ${[...channels.keys()].join(', ') || 'none'})`,
      );
  return { channels, rules: parsed.data.rules, baseUrl: parsed.data.baseUrl };
}

/** Where a channel sends, for lists: never a secret (a URL's query and credentials left out). */
export function targetOf(channel: NotificationChannel): string {
  if (channel.kind === 'email')
    return `smtp://${channel.host}:${channel.port ?? (channel.secure ? 465 : 587)} → ${channel.to.join(', ')}`;
  if (typeof channel.url !== 'string') return 'a URL kept secret';
  // A chat webhook's URL carries its token in the path: only its host is shown.
  const url = new URL(channel.url);
  return channel.kind === 'chat'
    ? `${url.protocol}//${url.host}/…`
    : `${url.origin}${url.pathname}`;
}
