import { nodeNameProblem, topicPrefixProblem } from './names.js';

/** The prefix every Minke topic starts with unless configured otherwise. */
export const DEFAULT_TOPIC_PREFIX = 'minke/v1';

/** Who a request is for: every agent, or the one agent with this node name. */
export type Target = { all: true } | { node: string };

/** What a topic means, as told by {@link TopicSet.parse}. */
export type ParsedTopic =
  | { kind: 'request'; target: Target }
  | { kind: 'result'; node: string }
  | { kind: 'presence'; node: string }
  | { kind: 'ack'; node: string };

/**
 * The topics of one Minke installation (ARCHITECTURE §3):
 *
 * | topic                         | from   | to     | retained |
 * |-------------------------------|--------|--------|----------|
 * | `<prefix>/req/all`            | server | agents | no       |
 * | `<prefix>/req/node/<node>`    | server | agent  | no       |
 * | `<prefix>/res/<node>`         | agent  | server | no       |
 * | `<prefix>/ack/<node>`         | server | agent  | no       |
 * | `<prefix>/presence/<node>`    | agent  | server | yes (+ last will) |
 *
 * All of them are used with QoS 1.
 *
 * @example
 *   const topics = createTopics();          // prefix minke/v1
 *   topics.requestNode('web1');             // 'minke/v1/req/node/web1'
 *   topics.parse('minke/v1/res/web1');      // { kind: 'result', node: 'web1' }
 */
export interface TopicSet {
  readonly prefix: string;
  /** Broadcast requests. */
  readonly requestAll: string;
  /** Requests for one node. */
  requestNode(node: string): string;
  /** Results published by one node. */
  result(node: string): string;
  /** Subscription filter for the results of every node. */
  readonly resultAny: string;
  /** Acknowledgements of one node's results, sent by the server. */
  ack(node: string): string;
  /** The retained presence of one node. */
  presence(node: string): string;
  /** Subscription filter for the presence of every node. */
  readonly presenceAny: string;
  /** What a concrete topic means, or `null` when it is not one of ours. */
  parse(topic: string): ParsedTopic | null;
}

/**
 * Builds the topic set for `prefix`. Throws on a prefix or node name that cannot be a topic level:
 * both come from configuration that is validated first, so a throw here is a programming error.
 */
export function createTopics(prefix: string = DEFAULT_TOPIC_PREFIX): TopicSet {
  const prefixProblem = topicPrefixProblem(prefix);
  if (prefixProblem) throw new Error(prefixProblem);
  const node = (name: string): string => {
    const problem = nodeNameProblem(name);
    if (problem) throw new Error(problem);
    return name;
  };
  return {
    prefix,
    requestAll: `${prefix}/req/all`,
    requestNode: (name) => `${prefix}/req/node/${node(name)}`,
    result: (name) => `${prefix}/res/${node(name)}`,
    resultAny: `${prefix}/res/+`,
    ack: (name) => `${prefix}/ack/${node(name)}`,
    presence: (name) => `${prefix}/presence/${node(name)}`,
    presenceAny: `${prefix}/presence/+`,
    parse: (topic) => parseTopic(topic, prefix),
  };
}

/** What `topic` means under `prefix`, or `null` when it is not a Minke topic. */
export function parseTopic(
  topic: string,
  prefix: string = DEFAULT_TOPIC_PREFIX,
): ParsedTopic | null {
  if (!topic.startsWith(`${prefix}/`)) return null;
  const levels = topic.slice(prefix.length + 1).split('/');
  const [kind, first, second] = levels;
  if (kind === 'req' && levels.length === 2 && first === 'all') {
    return { kind: 'request', target: { all: true } };
  }
  if (kind === 'req' && levels.length === 3 && first === 'node' && isNode(second)) {
    return { kind: 'request', target: { node: second } };
  }
  if (levels.length !== 2 || !isNode(first)) return null;
  if (kind === 'res') return { kind: 'result', node: first };
  if (kind === 'ack') return { kind: 'ack', node: first };
  if (kind === 'presence') return { kind: 'presence', node: first };
  return null;
}

function isNode(level: string | undefined): level is string {
  return level !== undefined && nodeNameProblem(level) === undefined;
}
