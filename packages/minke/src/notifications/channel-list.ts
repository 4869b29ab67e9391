import type { ChannelInfo } from '@minke/contract';
import { targetOf, type Notifications } from './notification-settings.js';

/** The channels as lists show them: where they send and which global events they hear. */
export function channelsOf(settings: Notifications): ChannelInfo[] {
  return [...settings.channels.values()].map((channel) => ({
    name: channel.name,
    kind: channel.kind,
    target: targetOf(channel),
    on: [
      ...new Set(
        settings.rules.filter((rule) => rule.channel === channel.name).flatMap((rule) => rule.on),
      ),
    ],
  }));
}
