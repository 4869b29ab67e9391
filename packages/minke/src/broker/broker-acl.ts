import type { TopicSet } from '@minke/protocol';

/** Who is on the other end of a broker connection, once authenticated. */
export type BrokerIdentity = { kind: 'server' } | { kind: 'agent'; node: string };

/** The MQTT client id an agent must use: its own, so it can never take over another's session. */
export function agentClientId(node: string): string {
  return `minke-agent-${node}`;
}

/**
 * May this client id be used by `identity`? An agent uses `minke-agent-<node>` (the agent's
 * default): a client id names a persistent session and its queued messages, so an agent that
 * connected under another's id would receive that agent's requests.
 */
export function mayUseClientId(identity: BrokerIdentity, clientId: string): boolean {
  if (identity.kind === 'server') return !clientId.startsWith('minke-agent-');
  return clientId === agentClientId(identity.node);
}

/**
 * May `identity` publish on `topic`? The server publishes anywhere under the prefix; an agent
 * only its results and its presence (its last will included).
 */
export function mayPublish(identity: BrokerIdentity, topic: string, topics: TopicSet): boolean {
  if (identity.kind === 'server') return topic.startsWith(`${topics.prefix}/`);
  return topic === topics.result(identity.node) || topic === topics.presence(identity.node);
}

/**
 * May `identity` subscribe to `filter`? The server subscribes to anything under the prefix; an
 * agent only to the broadcast requests, its own requests and its own acknowledgements.
 */
export function maySubscribe(identity: BrokerIdentity, filter: string, topics: TopicSet): boolean {
  if (identity.kind === 'server') return filter.startsWith(`${topics.prefix}/`);
  return (
    filter === topics.requestAll ||
    filter === topics.requestNode(identity.node) ||
    filter === topics.ack(identity.node)
  );
}
