import { Readable } from 'node:stream';

/** The part of an aedes persistence that keeps and replays retained messages. */
export interface RetainedPersistence {
  storeRetained(packet: RetainedPacket): Promise<void>;
  createRetainedStreamCombi(patterns: string[]): Readable;
}

interface RetainedPacket {
  topic: string;
  payload: Buffer | string;
}

/**
 * Makes a subscription to exact topics find its retained message by a map lookup. aedes' in-memory
 * persistence tests every retained message against every new subscription; each agent retains its
 * presence and subscribes to three exact topics, so a fleet of N agents connecting cost N² topic
 * matches (minutes of CPU at 10,000 agents, the largest cost of a reconnect storm). Subscriptions
 * with a wildcard (the gateway's `presence/+`) still go to the full scan, once per connection.
 * The original store stays the one truth; this map only mirrors it for the exact-topic lookups.
 */
export function indexRetainedByTopic(persistence: RetainedPersistence): void {
  const byTopic = new Map<string, RetainedPacket>();
  const store = persistence.storeRetained.bind(persistence);
  const scan = persistence.createRetainedStreamCombi.bind(persistence);
  persistence.storeRetained = (packet) => {
    // As the memory persistence does: an empty payload clears the topic's retained message.
    if (packet.payload.length === 0) byTopic.delete(packet.topic);
    else byTopic.set(packet.topic, { ...packet });
    return store(packet);
  };
  persistence.createRetainedStreamCombi = (patterns) => {
    if (patterns.some(hasWildcard)) return scan(patterns);
    const found = [...new Set(patterns)].flatMap((topic) => byTopic.get(topic) ?? []);
    return Readable.from(found);
  };
}

function hasWildcard(pattern: string): boolean {
  return pattern.includes('+') || pattern.includes('#');
}
